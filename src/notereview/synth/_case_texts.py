"""The texts of one child's records: visit records, the case summary and supervision notes,
written from the facts already drawn."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from notereview.synth._case_data import AIDED
from notereview.synth._case_facts import CaseFacts, Event, VisitFacts
from notereview.synth._case_voice import VoiceWriter
from notereview.synth._data import lower_first
from notereview.synth._text import abbreviate, capitalise, day_month, uk_date, weekday_name


def _near_band_edge(words: int) -> bool:
    """True within 4 words of an S2 length boundary in the rubric (so the key never sits on
    an edge where two ways of counting words could disagree)."""
    return any(abs(words - edge) <= 4 for edge in s2_word_edges())


@lru_cache(maxsize=1)
def s2_word_edges() -> tuple[int, ...]:
    """S2's word-count boundaries, read from the rubric's parameters for S2."""
    from notereview.checks._rubric import load_rubric

    p = next(c.params for c in load_rubric().checks if c.criterion == "S2")
    return (p.min_words, p.met_max_words, p.partly_max_words)


class TextWriter(VoiceWriter):
    """Writes every record's text from the child's facts."""

    def _when(self, e: Event, on: date) -> str:
        """A date phrase for ``e`` as written on ``on`` (always resolvable to e.day)."""
        gap = (on - e.day).days
        options = [f" on {day_month(e.day)}", f" on {uk_date(e.day)}"]
        if gap == 1:
            options.append(" yesterday")
        if 2 <= gap <= 6:
            options.append(f" last {weekday_name(e.day)}")
            if e.day.weekday() == 5 and gap <= 6:
                options.append(" at the weekend")
        if gap <= 7:
            options.append("")
        return self.ch(options)

    def _event_clause(self, f: CaseFacts, e: Event, on: date, explicit: bool = False) -> str:
        key = e.etype
        if key == "hospital_attendance" and f.age < 3:
            key = "hospital_attendance_baby"
        when = f" on {uk_date(e.day)}" if explicit else self._when(e, on)
        self.ctx["when"] = when
        return self._pick(self.gen.content.events[key])

    # ------------------------------------------------------------------ visit texts
    def _visit_texts(self, f: CaseFacts) -> None:
        rng, gen, q, c = self.rng, self.gen, self.q["content"], self.gen.content
        prng, pools = self.prng, self.gen.phen.pools
        rnd = rng.random
        style = gen.styles[f.worker.style]
        layout = gen.layouts[f.worker.style]
        habits = gen.habits[f.worker.worker_id]
        comps = style.components
        ctx = self.ctx
        names = self.names
        assert names is not None
        by_id: dict[str, VisitFacts] = {}
        open_topics = [a.topic for a in f.plan.actions if a.status == "open"] if f.plan else []
        quotes = c.quotes[self.band]
        wf_quotes = [x for x in quotes if x.wf]
        plain_quotes = [x for x in quotes if not x.wf]
        verbal = f.verbal
        teen = f.age >= 13
        parts: list[tuple[str, str]] = []

        def put(component: str) -> None:
            tpl = self._comp(comps, component)
            parts.append((component, tpl[int(rnd() * len(tpl))].format_map(ctx)))

        for v in f.visits:
            by_id[v.visit_id] = v
            if v.copy_of is not None:
                src = by_id[v.copy_of]
                text = src.text
                for old, new in zip(src.dates, self._dates(v.day), strict=True):
                    text = text.replace(old, new)
                v.text = text
                v.dates = self._dates(v.day)
                v.voice, v.wishes, v.observation = src.voice, src.wishes, src.observation
                v.plan_linked, v.analysis = src.plan_linked, src.analysis
                v.next_steps, v.network = src.next_steps, src.network
                v.negatives = list(src.negatives)
                v.name_form, v.tags, v.speakers = src.name_form, list(src.tags), list(src.speakers)
                continue
            v.dates = self._dates(v.day)
            ctx["date"], ctx["date_long"], ctx["date_day"] = v.dates
            ctx["room"] = self.ch(c.rooms)
            ctx["next_date"] = uk_date(gen.cal.add(v.day, self.ri(5, 15)))
            v.name_form = names.habit if prng.random() < 0.8 else "registered"
            ctx["name"] = names.text(v.name_form)
            parts.clear()
            if (
                v.seen
                and verbal
                and f.age >= 5
                and not v.events
                and habits.letters
                and prng.random() < habits.letters
            ):
                self._letter(f, v, open_topics)
                continue

            put("open")
            topic = None
            if f.plan and open_topics and v.seen and rnd() < 0.1 + 0.78 * q:
                topic = gen.records.topics[self.ch(open_topics)]
                ctx["plan_phrase"] = self._pick(topic.purpose)
                noun = self._pick(topic.noun)
                ctx["plan_noun"], ctx["Plan_noun"] = noun, capitalise(noun)
                if prng.random() < 0.4:  # tied to the plan by a meeting's decision
                    self._decision(f, v, topic)
                    parts.append(
                        ("purpose_decision", self._pchoice(self._comp(comps, "purpose_decision")))
                    )
                    v.tags.append("plan_by_decision")
                else:
                    put("purpose_plan")
                v.plan_linked = True
            elif rnd() < 0.7:
                put("purpose_generic")
            if not v.seen:
                reasons = c.not_seen_reasons_baby if f.age < 4 else c.not_seen_reasons
                reason = self.ch(reasons)
                ctx["reason"] = self._fmt(reason.text)
                put("not_seen")
                if reason.refused:
                    v.voice = "attempted_not_obtained"
                    v.refused = True
                elif teen:
                    self._out_of_reach(f, v, parts, comps)
                if rnd() < 0.3:
                    self._neg_parent(v, parts, comps)
                    v.negatives.append("parent_words")
                if rnd() < 0.5 + 0.4 * q:
                    self._put_lc(parts, comps, "next_steps", "next", c.next)
                    v.next_steps = True
                put("close")
                v.text = self._finish(v, layout, parts, habits)
                continue
            put("seen_alone" if v.seen_alone else "seen_with")
            # home
            r = rng.random()
            if r < 0.55:
                self._put_lc(parts, comps, "home_desc", "home", c.home[self.home_kind])
            if r > 0.4:
                opinions = pools.no_concerns if prng.random() < 0.3 else c.opinions
                self._put_lc(parts, comps, "home_opinion", "opinion", opinions)
                v.negatives.append("bare_opinion")
            # the child
            voice_parts: list[tuple[str, str]] = []
            if not verbal:
                if f.comm == "nonverbal":
                    put("nonverbal")
                if rng.random() < 0.2 + 0.65 * q:
                    if f.comm == "preverbal" and prng.random() < 0.35:
                        ctx["babble"] = self._pchoice(pools.babble)
                        comp = "obs_babble"
                        v.tags.append("babble")
                    else:
                        pool = c.obs_specific["baby" if f.comm == "preverbal" else "nonverbal"]
                        ctx["obs"], ctx["obs_lc"] = self._pick_lc(pool)
                        comp = "obs_specific"
                    voice_parts.append((comp, self._fmt(self.ch(self._comp(comps, comp)))))
                    v.voice = "observation"
                    v.observation = True
                elif rng.random() < 0.6:
                    ctx["stock"] = self.ch(c.stock_baby)
                    voice_parts.append(("neg_stock", self._fmt(self.ch(comps["neg_stock"]))))
                    v.negatives.append("stock_phrase")
                if f.comm == "nonverbal" and self.adults and prng.random() < 0.2:
                    self._parent_interprets(v, voice_parts, comps, reads=True)
            else:
                r = rng.random()
                p_direct = 0.1 + 0.45 * q
                p_reported = 0.07 + 0.25 * q
                p_attempt = 0.1 if teen else 0.05
                if r < p_direct + p_reported:
                    v.wishes = rng.random() < 0.25 + 0.6 * q
                    direct = r < p_direct
                    if f.comm in AIDED or (f.comm == "interpreter" and rng.random() < 0.7):
                        v.wishes = True
                        quote = self._fresh(wf_quotes, rnd)
                        ctx["topic"] = self._fmt(quote.topic or "home")
                        ctx["reported"] = self._fmt(quote.r)
                        comp = self._aided(f, v)
                        v.voice = "direct"
                    else:
                        quote = self._fresh(wf_quotes if v.wishes else plain_quotes, rnd)
                        ctx["quote"] = self._fmt(quote.d)
                        ctx["reported"] = self._fmt(quote.r)
                        ctx["topic"] = self._fmt(quote.topic or "")
                        comp = ("voice_direct" if direct else "voice_reported") + (
                            "_wf" if v.wishes else ""
                        )
                        channel = prng.random()
                        if teen and channel < 0.15:
                            self._message(v, v.wishes)
                            comp = "voice_text"
                        elif self.adults and channel < 0.15 + (0.15 if teen else 0.0):
                            ctx["topic"] = ctx["topic"] or "home"
                            comp = "voice_relay"
                            v.tags.append("carer_relays")
                            v.speakers.append((self._role(self.ctx["Carer"]), "relays", ""))
                            v.speakers.append(("child", "relayed", ctx["quote"]))
                            v.voice = "reported"
                        else:
                            v.voice = "direct" if direct else "reported"
                            if direct:
                                v.speakers.append(("child", "quoted", ctx["quote"]))
                                self.said.append((v.day, ctx["quote"]))
                            else:
                                v.speakers.append(("child", "reported", ctx["reported"]))
                    voice_parts.append((comp, self._fmt(self.ch(self._comp(comps, comp)))))
                    if comp == "voice_interpreter" and self._planted_hit():
                        voice_parts[-1] = (comp, self._fmt(self._planted_phrasing()))
                        v.tags.append("planted_interpreter_account")
                elif r < p_direct + p_reported + p_attempt:
                    phrasing = self._fmt(self.ch(comps["attempt"]))
                    if prng.random() < 0.5:
                        phrasing = self._pchoice(pools.attempt_more)
                    voice_parts.append(("attempt", phrasing))
                    v.voice = "attempted_not_obtained"
                    v.negatives.append("attempt")
                interpreted = "interpreter" in v.tags
                if (
                    f.comm == "interpreter"
                    and not interpreted
                    and self.adults
                    and prng.random() < 0.4
                ):
                    self._parent_interprets(v, voice_parts, comps)
                self._old_words(v, voice_parts, comps)
                if prng.random() < 0.16:  # the child among the speakers only if they speak
                    with_child = f.comm == "speech" and prng.random() < 0.55
                    self._multi_voice(f, v, voice_parts, with_child)
            # hard negatives
            self._negatives(f, v, voice_parts, comps)
            rng.shuffle(voice_parts)
            parts.extend(voice_parts)
            for e in v.events:
                clause = self._event_clause(f, e, v.day)
                ctx["event"], ctx["Event"] = clause, capitalise(clause)
                put("event")
            if rng.random() < 0.08 + 0.8 * q:
                pool = (
                    topic.analysis
                    if topic is not None and rng.random() < 0.6
                    else c.analysis_generic
                )
                if prng.random() < 0.45:  # what it means, in plain words
                    pool = pools.analysis_plain
                    v.tags.append("plain_analysis")
                self._put_lc(parts, comps, "analysis", "analysis", pool)
                v.analysis = True
            elif prng.random() < 0.3:  # a verdict where the analysis should be
                verdict = self._pchoice(pools.pseudo_analysis)
                head = "Analysis: " if prng.random() < 0.4 else ""
                parts.append(("analysis", head + verdict))
                v.tags.append("empty_verdict")
                v.negatives.append("empty_verdict")
            if rng.random() < 0.04 + 0.14 * q:
                self._put_lc(parts, comps, "network", "network", c.network)
                v.network = True
            if rng.random() < 0.3 + 0.6 * q:
                self._put_lc(parts, comps, "next_steps", "next", c.next)
                v.next_steps = True
            put("close")
            v.text = self._finish(v, layout, parts, habits)

    # ------------------------------------------------------------------ summary
    def _summary_text(self, f: CaseFacts) -> None:
        s = f.summary
        self.ctx["name"] = f.name
        if s is None:
            return
        rng, q, gen = self.rng, self.q["summary"], self.gen
        spec = gen.records.summary
        ctx = self.ctx
        names = (
            self.topics or [n for n, t in gen.records.topics.items() if f.status in t.statuses][:2]
        )
        topics = [gen.records.topics[t] for t in names]
        r = rng.random()
        if r < 0.3 + 0.6 * q:
            band, target = "succinct", self.ri(170, 560)
        elif r < 0.3 + 0.6 * q + 0.5 * (0.7 - 0.6 * q):
            band, target = "short", self.ri(25, 135)
        else:
            band, target = "long", self.ri(830, 1900)
        style = gen.styles[f.worker.style]
        headed = style.layout in ("headings", "bullets")
        background = self._pick(spec.background[f.status])
        if f.comm == "nonverbal":
            background += f" {f.name} is non-verbal and communicates through sounds and gestures."
        blocks: list[str] = [background]
        p_part = 1.0 if rng.random() < q**1.3 else 0.1 + 0.5 * q
        parts: list[str] = []
        if rng.random() < p_part:
            worry = "; ".join(self._pick(t.worry) for t in topics[:2])
            blocks.append(self._block(self.ch(spec.worries_head), capitalise(worry) + ".", headed))
            parts.append("worries")
        if rng.random() < p_part:
            strength = "; ".join(self._pick(t.strength) for t in topics[:2])
            blocks.append(
                self._block(self.ch(spec.strengths_head), capitalise(strength) + ".", headed)
            )
            parts.append("strengths")
        if rng.random() < p_part:
            who = []
            for t in topics[:3]:
                owner = self._fmt(self.ch(gen.records.owners[t.owner]))
                due = gen.cal.next_working(s.day + timedelta(days=self.ri(20, 120)))
                who.append(f"{owner} will {self._pick(t.specific)} by {uk_date(due)}")
            blocks.append(self._block(self.ch(spec.plan_head), "; ".join(who) + ".", headed))
            parts.append("who_does_what_by_when")
        if rng.random() < p_part - 0.1:
            blocks.append(self._pick(spec.contingency))
            parts.append("contingency")
        # voice
        r = rng.random()
        voice = "none"
        if f.verbal:
            quote = self.ch([x for x in gen.content.quotes[self.band] if x.wf])
            ctx["quote"], ctx["reported"] = self._fmt(quote.d), self._fmt(quote.r)
            if r < 0.1 + 0.4 * q:
                voice = "direct"
                blocks.append(self._pick(spec.voice_direct))
            elif r < 0.2 + 0.6 * q:
                voice = "reported"
                blocks.append(self._pick(spec.voice_reported))
            elif r < 0.45 + 0.5 * q:
                voice = "generic"
                blocks.append(self._pick(spec.voice_generic))
        else:
            if r < 0.15 + 0.6 * q:
                voice = "observation"
                pool = gen.content.obs_specific["baby" if f.comm == "preverbal" else "nonverbal"]
                ctx["obs"], ctx["obs_lc"] = self._pick_lc(pool)
                blocks.append(self._pick(spec.voice_observation))
            elif r < 0.45 + 0.4 * q:
                voice = "generic"
                blocks.append(self._pick(spec.voice_generic))
        if voice in ("direct", "reported", "observation") and rng.random() < 0.2 + 0.5 * q:
            topic = self.ch(topics)
            observed = [x for t in topics for x in t.observed] or [
                x for t in gen.records.topics.values() for x in t.observed
            ]
            wish = self._pick(topic.wish if f.verbal else observed)
            ctx["wish"], ctx["Wish"] = wish, capitalise(wish)
            ctx["plan_change"] = self._pick(spec.plan_change)
            blocks.append(self._pick(spec.shaped))
            s.shaped = True
        for e in s.events:
            blocks.append(capitalise(self._event_clause(f, e, s.day, explicit=True)) + ".")
        text = "\n\n".join(blocks) if headed else " ".join(blocks)
        words = len(text.split())
        fill = [self._fmt(x) for x in spec.filler]
        fill_words = [len(x.split()) for x in fill]
        again = (
            "As noted above, ",
            "Again, ",
            "It is worth repeating that ",
            "As previously recorded, ",
        )
        extra: list[str] = []
        i = 0
        order = rng.sample(range(len(fill)), len(fill))
        while words < target or _near_band_edge(words):
            k = order[i % len(order)]
            sentence = fill[k]
            n_words = fill_words[k]
            if i >= len(order):
                prefix = self.ch(again)
                sentence = prefix + lower_first(sentence)
                n_words += len(prefix.split())
            extra.append(sentence)
            words += n_words
            i += 1
            if band == "short" and words >= 140 and not _near_band_edge(words):
                break
        if extra:
            insert = 1 if len(blocks) > 1 else len(blocks)
            filler_text = " ".join(extra)
            if headed:
                blocks.insert(insert, filler_text)
                text = "\n\n".join(blocks)
            else:
                blocks.insert(insert, filler_text)
                text = " ".join(blocks)
        if style.abbreviate:
            text = abbreviate(text)
        s.text = text
        s.words = len(text.split())
        s.parts = parts
        s.voice = voice
        s.voice_sentences = (voice in ("direct", "reported", "observation")) + s.shaped
        if f.older_summary is not None:
            sid, day, _ = f.older_summary
            f.older_summary = (
                sid,
                day,
                self._pick(spec.background[f.status])
                + " "
                + " ".join(self._fmt(x) for x in fill[:4]),
            )

    def _block(self, head: str, body: str, headed: bool) -> str:
        return f"{head}:\n{body}" if headed else f"{head}: {body}"

    # ------------------------------------------------------------------ supervision
    def _supervision_texts(self, f: CaseFacts) -> None:
        rng, gen, ctx = self.rng, self.gen, self.ctx
        spec = gen.records.supervision
        if self.names is not None:
            ctx["name"] = self.names.text(self.names.habit)
        for s in f.supervision:
            lines = [f"Supervision {uk_date(s.day)}."]
            if s.reflective:
                lines.extend(self._fmt(x) for x in rng.sample(spec.reflective, self.ri(1, 2)))
            else:
                lines.extend(
                    spec.list[j]
                    for j in sorted({self.ri(0, len(spec.list) - 1) for _ in range(self.ri(1, 3))})
                )
            for e in s.events:
                lines.append(capitalise(self._event_clause(f, e, s.day, explicit=True)) + ".")
            if s.actions_owned:
                ctx["due"] = uk_date(gen.cal.add(s.day, self.ri(5, 20)))
                acts = [self._fmt(x) for x in rng.sample(spec.actions_owned, self.ri(1, 2))]
                s.actions = [True] * len(acts)
                crng, q = self.crng, self.q["supervision"]
                for i in range(len(acts)):
                    if spec.actions_untimed and crng.random() < 0.4 * (1 - q):
                        pool = spec.actions_untimed
                        acts[i] = self._fmt(pool[int(crng.random() * len(pool))])
                        s.actions[i] = False
                if len(set(acts)) < len(acts):  # the same untimed line twice reads as one
                    acts, s.actions = acts[:1], s.actions[:1]
                lines.append("Actions: " + " ".join(acts))
            else:
                lines.append(self.ch(spec.actions_unowned))
            s.text = " ".join(lines) if rng.random() < 0.6 else "\n".join(lines)
