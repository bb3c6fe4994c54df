"""The child's plan and its actions (who does what by when), SMART or deliberately not."""

from __future__ import annotations

from datetime import date, timedelta

from notereview.synth._case_base import BuilderBase
from notereview.synth._case_facts import ActionFacts, CaseFacts, PlanFacts, _add_years
from notereview.synth._data import lower_first
from notereview.synth._phenomena import junk_due
from notereview.synth._rules import review_due
from notereview.synth._text import capitalise, long_date, month_name, uk_date


class PlanBuilder(BuilderBase):
    """Draws the plan and each action's facts and wording."""

    # ------------------------------------------------------------------ plan
    def _plan(self, f: CaseFacts) -> None:
        rng, gen, q = self.rng, self.gen, f.quality
        p_plan = {"CIN": 0.97, "CP": 1.0, "LAC": 0.98, "CL": 0.95, "PF": 0.6}[f.status]
        if rng.random() >= p_plan:
            self.plan_name = "assessment"
            self.ctx["plan_name"] = "assessment"
            return
        records = gen.records
        ptype = records.plan_types[f.status]
        if f.status in ("CP", "LAC"):
            start = f.status_start
        elif f.status == "CL":
            start = min(_add_years(f.dob, 16) + timedelta(days=self.ri(0, 200)), f.status_start)
        else:
            start = min(
                f.status_start + timedelta(days=self.ri(0, 20)), gen.as_of - timedelta(days=30)
            )
        start = gen.cal.next_working(start)
        # reviews
        reviews: list[date] = []
        dues: list[date] = []
        prev, k = start, 0
        q = self.q["plans"]
        keeps_reviewing = rng.random() < 0.45 + 0.6 * q
        first_late = rng.random() < 0.3 * (1 - q)
        first_due = review_due(gen.cal, ptype, start, 0)
        while True:
            due = review_due(gen.cal, ptype, prev, k)
            if k == 0 and first_late:
                day = gen.cal.add(due, self.ri(1, 25))
            else:
                day = self._working_day_near(due - timedelta(days=self.ri(0, 12)))
                if day <= prev:
                    day = due
            if day > gen.as_of:
                break
            if not keeps_reviewing and rng.random() < 0.45:
                break
            reviews.append(day)
            dues.append(due)
            prev, k = day, k + 1
        next_due = review_due(gen.cal, ptype, prev, k)
        plan = PlanFacts(
            plan_id=f"P{self.index:06d}-1",
            plan_type=ptype,
            start=start,
            reviews=reviews,
            review_dues=dues,
            first_due=first_due,
            next_due=next_due,
            show_next=rng.random() < 0.85,
            actions=[],
        )
        self.plan_name = records.plan_names[ptype]
        self.ctx["plan_name"] = self.plan_name
        topics = [n for n, t in records.topics.items() if f.status in t.statuses]
        chosen = rng.sample(topics, min(len(topics), self.ri(3, 5)))
        anchor = reviews[-1] if reviews else start
        wish_index = -1
        if rng.random() < 0.15 + 0.5 * q:
            able = [i for i, t in enumerate(chosen) if f.verbal or records.topics[t].observed]
            if able:
                wish_index = self.ch(able)
        for i, tname in enumerate(chosen):
            plan.actions.append(self._action(f, plan, i, tname, anchor, i == wish_index))
        if not any(a.status == "open" for a in plan.actions):
            plan.actions[-1].status = "open"
        f.plan = plan
        self.topics = chosen

    def _action(
        self, f: CaseFacts, plan: PlanFacts, i: int, tname: str, anchor: date, wish: bool
    ) -> ActionFacts:
        rng, gen, q = self.rng, self.gen, self.q["plans"]
        topic = gen.records.topics[tname]
        if rng.random() < 0.05 + 0.95 * q**1.3:
            specific = measurable = owner_named = timebound = True
        else:
            specific = rng.random() < 0.5
            measurable = specific and rng.random() < 0.5
            owner_named = rng.random() < 0.6
            timebound = rng.random() < 0.5
        owner_label = self._fmt(self.ch(gen.records.owners[topic.owner]))
        owner_col, owner_text = "", ""
        pools, prng = gen.phen.pools, self.prng
        if owner_named:
            where = rng.random()
            if where < 0.4:
                # "SW" alone in the field is the system's default; a real owner is spelt out
                owner_col = "Allocated social worker" if owner_label == "SW" else owner_label
            elif where < 0.7:
                owner_text = owner_label
            else:
                owner_col = owner_text = owner_label
        owner_junk = False
        if not owner_col and prng.random() < 0.5:
            owner_col = pools.junk_owners[int(prng.random() * len(pools.junk_owners))]
            owner_junk = True
        due: date | None = None
        due_col: date | None = None
        due_text = ""
        status = "open"
        if timebound:
            lo = 15 if rng.random() < 0.3 + 0.6 * q else -200
            day = anchor + timedelta(days=self.ri(lo, 160))
            due = gen.cal.next_working(max(day, plan.start + timedelta(days=14)))
            where = rng.random()
            if where < 0.5:
                due_col = due
            elif where < 0.75:
                due_text = f" by {uk_date(due)}" if rng.random() < 0.6 else f" by {long_date(due)}"
            else:
                due_col = due
                due_text = f" by {uk_date(due)}"
            if due_text and prng.random() < 0.5:  # the time in the action's own words
                phrase = pools.text_times[int(prng.random() * len(pools.text_times))]
                due_text = phrase.format(
                    due_uk=uk_date(due),
                    due_long=long_date(due),
                    due_month=month_name(due),
                    weeks=max(2, (due - anchor).days // 7),
                )
            if due < gen.as_of - timedelta(days=35) and rng.random() < 0.35 + 0.6 * q:
                status = "done"
        if status == "open" and rng.random() < 0.03:
            status = "dropped"
        due_junk = False
        if due_col is None and prng.random() < 0.45:
            kind = pools.junk_due[int(prng.random() * len(pools.junk_due))]
            due_col = junk_due(kind, gen.as_of, plan.start)
            due_junk = True
        verb = self._pick(topic.specific if specific else topic.vague)
        measure = self._pick(topic.measure) if measurable else ""
        monitor = (
            self._pick(topic.monitor) if (specific and owner_named and rng.random() < 0.5) else ""
        )
        body = f"{owner_text} to {verb}" if owner_text else capitalise(verb)
        text = f"{body}{measure}{due_text}{monitor}"
        child_wishes = False
        if wish:
            clause = self._pick(topic.wish if f.verbal else topic.observed)
            text = f"{capitalise(clause)}, so {lower_first(text) if not owner_text else text}"
            child_wishes = True
        return ActionFacts(
            action_id=f"A{self.index:06d}-{i + 1:02d}",
            topic=tname,
            specific=specific,
            measurable=measurable,
            owner_named=owner_named,
            timebound=timebound,
            child_wishes=child_wishes,
            status=status,
            due=due,
            text=text + ".",
            owner_col=owner_col,
            due_col=due_col,
            owner_junk=owner_junk,
            due_junk=due_junk,
            time_in_text=bool(due_text),
        )
