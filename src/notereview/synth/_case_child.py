"""Who the child is: demographics, monitoring fields, the case context (legal status, household,
worry) and the genogram."""

from __future__ import annotations

import random
from datetime import date, timedelta

from notereview.synth._case_base import BuilderBase
from notereview.synth._case_data import (
    _AGE_WEIGHTS,
    _CATEGORIES,
    _PROFESSIONALS,
    AIDED,
    STATUS_WEIGHTS,
)
from notereview.synth._case_facts import CaseFacts, GenogramFacts, _add_years
from notereview.synth._data import monitoring_file
from notereview.synth._phenomena import choose_names
from notereview.synth._rules import default_policy
from notereview.synth._text import PRONOUNS, capitalise, long_date
from notereview.synth._world import _clip


class ChildBuilder(BuilderBase):
    """Draws the child, their context and their family network."""

    def _demographics(self) -> CaseFacts:
        rng, gen = self.rng, self.gen
        as_of = gen.as_of
        status = self.wch([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])
        team = self.wch(gen.world.teams, gen.world.team_weights(status))
        worker = self.ch(team.workers)
        ages, weights = _AGE_WEIGHTS[status]
        if team.name == "Disabled Children" and status != "CL":
            age = self.ri(3, 17)
        else:
            age = self.wch(ages, weights)
        try:
            last_birthday = as_of.replace(year=as_of.year - age)
        except ValueError:
            last_birthday = as_of.replace(year=as_of.year - age, day=28)
        min_offset = 100 if age == 0 else (70 if status == "CL" and age == 18 else 0)
        dob = last_birthday - timedelta(days=self.ri(min_offset, 360))
        hist_start = as_of - timedelta(days=self.ri(365, 548))
        if status == "CL":
            status_start = _add_years(dob, 18)
        else:
            span = {"CIN": 540, "CP": 450, "LAC": 3650, "PF": 600}[status]
            status_start = as_of - timedelta(days=self.ri(60 if status != "LAC" else 90, span))
            status_start = max(status_start, dob + timedelta(days=7))
        status_start = min(status_start, as_of - timedelta(days=60))
        placement_start: date | None = None
        long_term = False
        if status == "LAC":
            earliest = max(status_start, hist_start - timedelta(days=700))
            if rng.random() < 0.3:
                lo = max(status_start, as_of - timedelta(days=170))
                hi = as_of - timedelta(days=20)
            elif rng.random() < 0.55:
                lo = hi = status_start
            else:
                lo, hi = earliest, as_of - timedelta(days=180)
            if hi < lo:
                lo = hi = status_start
            placement_start = lo + timedelta(days=self.ri(0, (hi - lo).days))
            years_in = (as_of - placement_start).days / 365
            long_term = rng.random() < (0.55 if years_in > 1 else 0.15)
        q = _clip(worker.quality + rng.gauss(0.0, 0.13))
        gender = self.wch(("F", "M", "other", "unknown"), (0.48, 0.48, 0.02, 0.02))
        if age < default_policy().pre_verbal_age_below:
            comm = "preverbal"
        else:
            dct = team.name == "Disabled Children"
            r = rng.random()
            modes = (
                ("nonverbal", 0.2 if dct else 0.012),
                ("makaton", 0.12 if dct else 0.008),
                ("app", 0.1 if dct else 0.008),
                ("bsl", 0.05 if dct else 0.004),
                ("pecs", 0.08 if dct else 0.004),
                ("eyegaze", 0.05 if dct else 0.002),
                ("interpreter", 0.0 if age < 5 else 0.07),
            )
            comm = "speech"
            for mode, p in modes:
                if r < p:
                    comm = mode
                    break
                r -= p
        name = self.ch(self.gen.content.child_names)
        return CaseFacts(
            index=self.index,
            child_id=f"C{self.index:06d}",
            name=name,
            gender=gender,
            dob=dob,
            age=age,
            status=status,
            status_start=status_start,
            placement_start=placement_start,
            long_term=long_term,
            team=team.name,
            worker=worker,
            quality=q,
            comm=comm,
            hist_start=hist_start,
            **self._monitoring(team.name, comm),
        )

    def _planted_hit(self) -> bool:
        """Whether this interpreted visit is written as the interpreter's account (a planted
        bias, off by default: its own random stream, drawn only when it is on)."""
        share = self.gen.interpreter_voice_hidden
        if share <= 0.0:
            return False
        if self._brng is None:
            self._brng = random.Random(
                f"notereview-synth/{self.gen.seed}/child/{self.index}/planted"
            )
        return self._brng.random() < share

    def _planted_phrasing(self) -> str:
        """The interpreter's-account phrasing, drawn from the planted bias's own stream."""
        assert self._brng is not None
        phrasings = monitoring_file().interpreter_told_me
        return phrasings[int(self._brng.random() * len(phrasings))]

    def _monitoring(self, team: str, comm: str) -> dict[str, str]:
        """Ethnicity and disability, from their own random stream (every other byte of the
        extract is what it was without them)."""
        m = monitoring_file()
        mrng = random.Random(f"notereview-synth/{self.gen.seed}/child/{self.index}/monitoring")
        cats = [c for c in m.ethnicity if comm != "interpreter" or c not in m.interpreter_not]
        ethnicity = mrng.choices(cats, weights=[m.ethnicity[c] for c in cats])[0]
        aided = team == "Disabled Children" or comm in AIDED or comm == "nonverbal"
        p = m.disabled_if_aided if aided else m.disabled_otherwise
        return {"ethnicity": ethnicity, "disability": "yes" if mrng.random() < p else "no"}

    def _context(self, f: CaseFacts) -> None:
        rng, c, prng = self.rng, self.gen.content, self.prng
        pron = PRONOUNS["F" if f.gender == "F" else "M" if f.gender == "M" else "they"]
        ctx: dict[str, str] = dict(pron)
        ctx["name"] = f.name
        # family names: the child's is Dad's or Mum's; Mum's own family has another
        surnames = c.surnames
        dad_surname = surnames[int(prng.random() * len(surnames))]
        mum_maiden = surnames[int(prng.random() * len(surnames))]
        mum_surname = dad_surname if prng.random() < 0.55 else mum_maiden
        child_surname = dad_surname if prng.random() < 0.7 else mum_surname
        self.family_names = (child_surname, mum_surname, mum_maiden, dad_surname)
        style = f.worker.style
        # "M" and "F" stand for Mum and Dad in an abbreviating writer's notes
        reserved = frozenset("MF") if self.gen.styles[style].abbreviate else frozenset()
        self.names = choose_names(prng, f.name, child_surname, style, self.gen.phen, reserved)
        mum, dad = self.ch(c.adult_female), self.ch(c.adult_male)
        carer_name = self.ch(c.adult_female)
        ctx.update(mum=mum, dad=dad, carer_name=carer_name, team=f.team)
        status = f.status
        if status in ("CIN", "CP"):
            carer = self.wch(("Mum", "Dad", "Nan"), (0.75, 0.13, 0.12))
            home, place, place_noun = "family", "at home", "home"
            adults = [carer, "Mum" if carer != "Mum" else "Dad", "Nan"]
        elif status == "LAC":
            kind = rng.random()
            if kind < 0.72:
                carer = f"foster carer {carer_name}"
                place, place_noun = "at the foster home", "placement"
            elif kind < 0.84 and f.age >= 12:
                carer = "the residential staff"
                place, place_noun = "at the children's home", "placement"
            else:
                carer = f"Auntie {carer_name}"
                place, place_noun = "at the placement", "placement"
            home = "foster"
            adults = [capitalise(carer), "Mum"]
        elif status == "PF":
            carer = f"Auntie {carer_name}"
            home, place, place_noun = "foster", "at the carer's home", "home"
            adults = [carer]
        else:
            carer = self.ch(("the support worker", f"{pron['his']} partner", "the landlady"))
            home, place, place_noun = "independent", f"at {pron['his']} flat", "flat"
            adults = [capitalise(carer)]
        ctx.update(carer=carer, Carer=capitalise(carer), place=place, place_noun=place_noun)
        self.home_kind = home
        self.adults = adults
        profs = []
        for t in rng.sample(_PROFESSIONALS, 3):
            profs.append(t.format(s=self.ch(c.surnames), f=self.ch(c.adult_female)))
        self.profs = profs
        n_sib = self.wch((0, 1, 2, 3), (0.3, 0.35, 0.25, 0.1))
        sibs = []
        for _ in range(n_sib):
            sname = self.ch(c.child_names)
            if sname != f.name:
                rel = self.ch(("brother", "sister", "half-brother", "half-sister"))
                sibs.append((sname, rel))
        self.siblings = sibs
        ctx["age_phrase"] = (
            f"{f.age} years old" if f.age >= 2 else "a baby" if f.age == 0 else "a toddler"
        )
        ctx["category"] = self.ch(_CATEGORIES)
        ctx["since"] = long_date(f.status_start)
        ctx["setting"] = self.ch(
            ("supported lodgings", "a council flat", "semi-independent accommodation")
        )
        ctx["school"] = self.ch(
            (
                "Oakfield Primary",
                "St Anne's",
                "Riverside Academy",
                "Hillcrest School",
                "Northgate High",
            )
        )
        ctx["year_group"] = str(max(1, min(13, f.age - 4)))
        ctx["scale"] = str(self.ri(2, 9))
        self.ctx = ctx
        self.band = (
            "young" if f.age < 8 else "middle" if f.age < 13 else "teen" if f.age < 18 else "adult"
        )

    # ------------------------------------------------------------------ genogram
    def _genogram(self, f: CaseFacts) -> None:
        rng, q, gen = self.rng, self.q["genogram"], self.gen
        self.ctx["name"] = f.name
        if rng.random() >= 0.6 + 0.38 * q:
            return
        if rng.random() < 0.3 + 0.65 * q:
            day = gen.as_of - timedelta(days=self.ri(5, 350))
        else:
            day = gen.as_of - timedelta(days=self.ri(380, 900))
        p = 0.2 + 0.75 * q
        both = rng.random() < p
        three = rng.random() < p
        named = rng.random() < p
        many = rng.random() < p
        c, ctx, prng = gen.content, self.ctx, self.prng
        child_sn, mum_sn, maiden, dad_sn = self.family_names
        names = self.names
        assert names is not None

        def other_surname() -> str:
            return c.surnames[int(prng.random() * len(c.surnames))]

        subject = "child" if prng.random() < 0.6 else "subject child"
        members: list[dict[str, object]] = [
            {"name": names.full, "relationship": subject, "side": "other", "generation": 0},
            {
                "name": f"{ctx['mum']} {mum_sn}",
                "relationship": "mother",
                "side": "maternal",
                "generation": 1,
            },
        ]
        if both:
            members.append(
                {
                    "name": f"{ctx['dad']} {dad_sn}",
                    "relationship": "father",
                    "side": "paternal",
                    "generation": 1,
                }
            )
        if three:
            members.append(
                {
                    "name": f"{self.ch(c.adult_female)} {maiden}",
                    "relationship": "maternal grandmother",
                    "side": "maternal",
                    "generation": 2,
                }
            )
            if both:
                members.append(
                    {
                        "name": f"{self.ch(c.adult_male)} {dad_sn}",
                        "relationship": "paternal grandfather",
                        "side": "paternal",
                        "generation": 2,
                    }
                )
        if many:
            for sname, rel in self.siblings:
                surname = other_surname() if rel.startswith("half") else child_sn
                members.append(
                    {
                        "name": f"{sname} {surname}",
                        "relationship": rel,
                        "side": "other",
                        "generation": 0,
                    }
                )
            extras = [
                ("maternal aunt", "maternal", 1, c.adult_female, maiden),
                ("maternal uncle", "maternal", 1, c.adult_male, maiden),
                ("cousin", "maternal", 0, c.child_names, ""),
            ]
            if both:
                extras.insert(1, ("paternal aunt", "paternal", 1, c.adult_female, dad_sn))
            if three:
                extras.append(("maternal grandfather", "maternal", 2, c.adult_male, maiden))
            for rel, side, gen_n, pool, surname in extras:
                if len(members) >= 6 + self.ri(0, 3):
                    break
                first = self.ch(pool)
                members.append(
                    {
                        "name": f"{first} {surname or other_surname()}",
                        "relationship": rel,
                        "side": side,
                        "generation": gen_n,
                    }
                )
        else:
            members = members[:5]
        if not named:
            for m in rng.sample(members[1:], min(len(members) - 1, self.ri(1, 2))):
                m["relationship"] = ""
        network = rng.random() < 0.15 + 0.6 * q
        spec = gen.records.genogram
        notes = self._pick(spec.notes_network if network else spec.notes_plain)
        if not network and rng.random() < 0.3:
            notes = ""
        discussed_with = 2 if network else 0
        if not network and spec.notes_one_person and self.crng.random() < 0.3:
            pool = spec.notes_one_person
            notes = self._fmt(pool[int(self.crng.random() * len(pool))])
            discussed_with = 1
        if names.nickname and names.habit in ("nickname", "intro") and prng.random() < 0.5:
            reg, nick = names.registered, names.nickname
            known = (
                f"{reg} is known as {nick}.",
                f"{reg} prefers to be called {nick}.",
                f"Everyone calls {reg} {nick}.",
                f"{reg} goes by {nick}.",
            )[int(prng.random() * 4)]
            notes = f"{notes} {known}" if notes else known
        older = None
        if rng.random() < 0.1:
            older = (day - timedelta(days=self.ri(200, 500)), members[:2], "")
        f.genogram = GenogramFacts(
            day=day,
            members=members,
            network=network,
            notes=notes,
            older=older,
            discussed_with=discussed_with,
        )
