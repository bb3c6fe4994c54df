"""When things happen to one child: visit dates, significant events, supervision and summary
dates, the chronology's entries and where events are mentioned."""

from __future__ import annotations

from datetime import date, timedelta

from notereview.synth._case_base import BuilderBase
from notereview.synth._case_data import _EVENT_MAX_AGE, _EVENT_MIN_AGE, _EVENT_MIX, _EVENT_RATES
from notereview.synth._case_facts import (
    CaseFacts,
    ChronEntry,
    Event,
    SummaryFacts,
    SupervisionFacts,
    VisitFacts,
    age_on,
)
from notereview.synth._rules import (
    Deadline,
    VisitPolicy,
    default_policy,
    interval_days,
    recorded_late_days,
)


class TimelineBuilder(BuilderBase):
    """Draws the dates of every record and the significant events between them."""

    # ------------------------------------------------------------------ visits
    def _visit_dates(self, f: CaseFacts) -> None:
        rng, gen, q = self.rng, self.gen, f.quality
        cal, as_of = gen.cal, gen.as_of
        policy = VisitPolicy(cal, f.status, f.status_start, f.placement_start, f.long_term)
        self.policy = policy
        memo: dict[date, Deadline] = {}

        def due_after(day: date) -> Deadline:
            out = memo.get(day)
            if out is None:
                out = memo[day] = policy.due_after(day)
            return out

        worker = f.worker
        qt = (self.q["timing"] + worker.timeliness) / 2
        qr = (self.q["recording"] + worker.recording) / 2
        p_late = 0.004 + 0.22 * (1 - qt) ** 2.5
        p_not_seen = 0.02 + 0.15 * (1 - q) ** 1.5
        p_rec_late = 0.01 + 0.4 * (1 - qr) ** 2
        follow_up = default_policy().no_access.follow_up
        follow_up_wd = (
            follow_up.amount if follow_up.in_working_days else interval_days(follow_up) * 5 // 7
        )
        start = max(f.hist_start, f.status_start)
        if f.status_start >= f.hist_start:
            prev = f.status_start
            deadline = policy.first_due(f.status_start)
            if f.status == "LAC" and f.placement_start == f.status_start:
                deadline = policy.first_due(f.placement_start)
        else:
            prev = start - timedelta(days=self.ri(1, 20))
            deadline = due_after(prev)
        visits: list[VisitFacts] = []
        moved = (
            f.placement_start
            if (f.status == "LAC" and f.placement_start and f.placement_start > start)
            else None
        )
        virtual_prev: date | None = prev
        n = 0
        last_seen: date | None = None
        while True:
            if moved and prev < moved <= deadline.day + timedelta(days=30):
                deadline = policy.first_due(moved)
                prev = moved
                moved = None
            span = max(1, (deadline.day - prev).days)
            if rng.random() < p_late:
                late = self.ri(1, 6) if rng.random() < 0.6 else self.ri(7, 30)
                target = cal.add(deadline.day, late)
            else:
                target = prev + timedelta(days=max(1, int(span * (0.45 + 0.55 * rng.random()))))
                if rng.random() < 0.96:
                    target = cal.prev_working(target)
                if target <= prev:
                    target = prev + timedelta(days=1)
            if target > as_of:
                break
            if rng.random() < p_not_seen:
                n += 1
                visits.append(
                    VisitFacts(visit_id=f"V{self.index:06d}-{n:03d}", day=target, seen=False)
                )
                follow = self.ri(1, 4)
                if self.crng.random() < 0.35 * (1 - qt):  # not seen again for a while
                    follow = follow_up_wd + 1 + int(self.crng.random() * 10)
                target = cal.add(target, follow)
                if target > as_of:
                    break
            n += 1
            visits.append(VisitFacts(visit_id=f"V{self.index:06d}-{n:03d}", day=target, seen=True))
            prev = target
            last_seen = target
            deadline = due_after(target)
        del last_seen
        # recording dates; a visit not yet recorded by as_of is not in the extract
        kept: list[VisitFacts] = []
        for v in visits:
            r = rng.random()
            if r < p_rec_late:
                delay = self.ri(4, 12) if rng.random() < 0.6 else self.ri(13, 45)
            else:
                r = rng.random()
                delay = 0 if r < 0.35 else 1 if r < 0.65 else 2 if r < 0.85 else 3
            v.recorded = cal.add(v.day, delay) if delay else v.day
            if v.recorded <= as_of:
                kept.append(v)
        # renumber so ids stay dense and ordered
        for i, v in enumerate(kept):
            v.visit_id = f"V{self.index:06d}-{i + 1:03d}"
            v.late_days = recorded_late_days(cal, v.day, v.recorded)
        # on-time per seen visit: from the previous seen visit in the extract
        prev_seen: date | None = None
        for v in kept:
            if not v.seen:
                continue
            if prev_seen is None:
                if f.status_start >= f.hist_start:
                    anchor = f.status_start
                    if f.status == "LAC" and f.placement_start and f.placement_start <= v.day:
                        anchor = max(anchor, f.placement_start)
                    dl = policy.first_due(anchor)
                    v.on_time = dl.overdue_by(cal, v.day) is None
                else:
                    v.on_time = True
                    if virtual_prev is not None:
                        v.on_time = due_after(virtual_prev).overdue_by(cal, v.day) is None
            else:
                dl = due_after(prev_seen)
                if (
                    f.status == "LAC"
                    and f.placement_start
                    and prev_seen < f.placement_start <= v.day
                ):
                    dl = policy.first_due(f.placement_start)
                v.on_time = dl.overdue_by(cal, v.day) is None
            prev_seen = v.day
        # who, where, alone
        for v in kept:
            age_then = age_on(f.dob, v.day)
            if v.seen:
                if f.status == "CL":
                    v.seen_alone = rng.random() < 0.9
                elif age_then < default_policy().seen_alone_min_age:
                    v.seen_alone = False
                else:
                    v.seen_alone = rng.random() < 0.25 + 0.65 * q
            else:
                v.seen_alone = False
            r = rng.random()
            if f.status == "LAC":
                v.visit_type = "placement" if r < 0.5 else "statutory" if r < 0.9 else "school"
            elif f.status == "CL":
                v.visit_type = "home" if r < 0.6 else "other"
            else:
                v.visit_type = "home" if r < 0.5 else "statutory" if r < 0.9 else "school"
        # copy-paste: a seen visit pasted from the previous seen visit
        p_copy = worker.copy_paste * (1.3 - q)
        last: VisitFacts | None = None
        for v in kept:
            if not v.seen:
                continue
            if last is not None and last.copy_of is None and rng.random() < p_copy:
                v.copy_of = last.visit_id
                last.is_source = True
            last = v
        f.visits = kept

    # ------------------------------------------------------------------ events
    def _events(self, f: CaseFacts) -> None:
        rng, gen = self.rng, self.gen
        as_of = gen.as_of
        lo = max(f.hist_start, f.status_start - timedelta(days=30))
        events: list[Event] = []

        def add(etype: str, day: date) -> None:
            if day < f.hist_start or day > as_of - timedelta(days=2):
                return
            for e in events:
                if e.etype == etype and abs((e.day - day).days) < 30:
                    return
            events.append(Event(etype, day))

        if f.status == "CP":
            add("cp_conference", f.status_start)
            if rng.random() < 0.8:
                add("strategy_discussion", f.status_start - timedelta(days=self.ri(15, 28)))
                add("section_47", f.status_start - timedelta(days=self.ri(8, 14)))
            if f.plan:
                for day in f.plan.reviews:
                    add("cp_conference", day)
        if f.status == "LAC":
            if f.placement_start and f.placement_start > f.status_start:
                add("placement_move", f.placement_start)
            if f.status_start >= f.hist_start:
                add("court_hearing", f.status_start + timedelta(days=self.ri(0, 3)))
        months = max(1, (as_of - lo).days // 30)
        rate = _EVENT_RATES[f.status] / 12
        mix = _EVENT_MIX[f.status]
        types = [t for t in mix if _EVENT_MIN_AGE.get(t, 0) <= f.age <= _EVENT_MAX_AGE.get(t, 99)]
        weights = [mix[t] for t in types]
        for _ in range(months):
            if rng.random() < rate:
                etype = self.wch(types, weights)
                day = lo + timedelta(days=self.ri(3, max(4, (as_of - lo).days - 3)))
                add(etype, day)
        events.sort(key=lambda e: (e.day, e.etype))
        f.events = events

    def _supervision_dates(self, f: CaseFacts) -> None:
        rng, q, as_of = self.rng, self.q["supervision"], self.gen.as_of
        limit = interval_days(default_policy().supervision_interval(f.status))
        p_late = 0.02 + 0.3 * (1 - q) ** 2
        day = max(f.hist_start, f.status_start) + timedelta(days=self.ri(3, 25))
        out: list[SupervisionFacts] = []
        n = 0
        while day <= as_of:
            n += 1
            out.append(
                SupervisionFacts(
                    f"SV{self.index:06d}-{n:03d}",
                    self.gen.cal.prev_working(day) if day.weekday() > 4 else day,
                    False,
                    False,
                )
            )
            if rng.random() < p_late:
                gap = limit + (self.ri(1, 10) if rng.random() < 0.5 else self.ri(11, 60))
            else:
                gap = self.ri(int(limit * 0.55), limit)
            day = out[-1].day + timedelta(days=gap)
        for s in out:
            s.reflective = rng.random() < 0.06 + 0.55 * q + 0.3 * f.worker.manager_reflective * q
            s.actions_owned = rng.random() < 0.1 + 0.8 * q
        f.supervision = out

    def _summary_date(self, f: CaseFacts) -> None:
        rng, q, as_of = self.rng, self.q["summary"], self.gen.as_of
        if rng.random() >= 0.72 + 0.25 * q:
            return
        r = rng.random()
        if r < 0.2 + 0.7 * q:
            back = self.ri(3, 88)
        elif r < 0.2 + 0.7 * q + 0.5 * (0.8 - 0.7 * q):
            back = self.ri(95, 178)
        else:
            back = self.ri(190, 420)
        day = self.gen.cal.prev_working(as_of - timedelta(days=back))
        day = max(day, f.status_start)
        f.summary = SummaryFacts(f"CS{self.index:06d}-1", day, 0, [], "none", False, [])
        if rng.random() < 0.15:
            older = day - timedelta(days=self.ri(120, 300))
            if older >= f.status_start:
                f.older_summary = (f"CS{self.index:06d}-0", older, "")

    # ------------------------------------------------------------------ chronology
    def _chronology(self, f: CaseFacts) -> None:
        rng, gen, q = self.rng, self.gen, self.q["chronology"]
        cal, as_of = gen.cal, gen.as_of
        if rng.random() < 0.02 + 0.14 * (1 - q):
            f.chronology = None
            return
        chron = gen.records.chronology
        stop: date | None = None
        if rng.random() < 0.35 * (1 - q):
            last = max(61, (as_of - f.hist_start).days - 20)
            stop = f.hist_start + timedelta(days=self.ri(60, last))
        keep = 0.3 + 0.65 * q
        raw: list[tuple[date, str, bool]] = []  # (day, type, significant)
        for e in f.events:
            if rng.random() < 0.5 + 0.47 * q:
                raw.append((e.day, e.etype, True))
        lo = f.hist_start
        routine: list[tuple[date, str]] = []
        if f.status_start - timedelta(days=20) >= lo:
            routine.append((f.status_start - timedelta(days=self.ri(5, 20)), "referral"))
        if f.status in ("CIN", "CP") and f.status_start + timedelta(days=30) <= as_of:
            routine.append(
                (f.status_start + timedelta(days=self.ri(20, 45)), "assessment_completed")
            )
        if f.plan and f.plan.plan_type != "CP":
            routine.extend((d, "plan_review") for d in f.plan.reviews)
        step = {"CP": 30, "CIN": 45, "LAC": 60, "CL": 75, "PF": 60}[f.status]
        day = max(lo, f.status_start) + timedelta(days=self.ri(5, step))
        kinds = {
            "CP": ["core_group"],
            "CIN": ["core_group", "family_time"],
            "LAC": ["health_assessment", "education_meeting", "family_time"],
            "CL": ["allocation", "family_time"],
            "PF": ["education_meeting"],
        }[f.status]
        while day <= as_of - timedelta(days=3):
            routine.append((day, self.ch(kinds)))
            day += timedelta(days=self.ri(int(step * 0.6), int(step * 1.4)))
        for d, t in routine:
            if d >= lo and d <= as_of and rng.random() < keep:
                raw.append((d, t, False))
        # a long-open child's chronology goes back before the recent history
        if f.status_start < lo:
            older_keep = 0.55 + 0.45 * q
            older_kinds = kinds + (["plan_review"] if f.plan else [])
            day = f.status_start + timedelta(days=self.ri(0, 20))
            while day < lo:
                if rng.random() < older_keep:
                    raw.append((day, self.ch(older_kinds), False))
                day += timedelta(days=self.ri(30, 60))
        if stop is not None:
            raw = [r for r in raw if r[0] <= stop]
        raw.sort(key=lambda r: (r[0], r[1]))
        entries: list[ChronEntry] = []
        p_source = 1.0 if rng.random() < 0.15 + 0.8 * q else rng.uniform(0.5, 0.9)
        p_prompt = 1.0 if rng.random() < 0.15 + 0.8 * q else rng.uniform(0.5, 0.9)
        for i, (d, t, sig) in enumerate(raw):
            spec = chron.significant[t] if sig else chron.routine[t]
            pick = int(rng.random() * len(spec.text))
            source = spec.sources[pick % len(spec.sources)] if rng.random() < p_source else ""
            delay = self.ri(0, 12) if rng.random() < p_prompt else self.ri(21, 70)
            entered = min(cal.add(d, delay), as_of)
            text = spec.text[pick].format_map(self.ctx)
            code = None
            # The worker's own words and no code (held-out use only; no draw when off).
            retold = sig and gen.chronology_retold > 0 and t in chron.retold
            if retold and rng.random() < gen.chronology_retold:
                text = self._pick(chron.retold[t])
                code = self.ch(chron.retold_codes)
            impact_col = ""
            has_impact = rng.random() < 0.08 + 0.75 * q
            if has_impact:
                if rng.random() < 0.7:
                    impact_col = self._pick(chron.impact)
                else:
                    text += self._pick(chron.impact_in_text)
            elif chron.impact_placeholder and self.crng.random() < 0.3:
                pool = chron.impact_placeholder
                impact_col = pool[int(self.crng.random() * len(pool))]
            entries.append(
                ChronEntry(
                    f"CH{self.index:06d}-{i + 1:03d}",
                    d,
                    entered,
                    t,
                    source,
                    text,
                    impact_col,
                    has_impact,
                    code,
                )
            )
        f.chronology = entries
        chron_keys = {(e.day, e.etype) for e in entries}
        for e in f.events:
            e.in_chron = (e.day, e.etype) in chron_keys

    # ------------------------------------------------------------------ mentions
    def _mentions(self, f: CaseFacts) -> None:
        """Which record mentions each significant event; one record per left-out event."""
        rng = self.rng
        visits = [v for v in f.visits if v.seen and v.copy_of is None and not v.is_source]
        for e in f.events:
            if rng.random() >= 0.72:
                continue
            where = self.wch(("visits", "supervision", "case_summaries"), (0.65, 0.2, 0.15))
            placed = False
            order = [where] + [w for w in ("visits", "supervision", "case_summaries") if w != where]
            for w in order:
                if w == "visits":
                    for v in visits:
                        if 1 <= (v.day - e.day).days <= 10:
                            v.events.append(e)
                            e.mentions.append(("visits", v.visit_id))
                            placed = True
                            break
                elif w == "supervision":
                    for s in f.supervision:
                        if 1 <= (s.day - e.day).days <= 30:
                            s.events.append(e)
                            e.mentions.append(("supervision", s.record_id))
                            placed = True
                            break
                elif f.summary is not None and 1 <= (f.summary.day - e.day).days <= 400:
                    f.summary.events.append(e)
                    e.mentions.append(("case_summaries", f.summary.summary_id))
                    placed = True
                if placed:
                    break
            if placed and e.in_chron and e.mentions[0][0] == "visits" and rng.random() < 0.3:
                for s in f.supervision:
                    if 1 <= (s.day - e.day).days <= 30:
                        s.events.append(e)
                        e.mentions.append(("supervision", s.record_id))
                        break
