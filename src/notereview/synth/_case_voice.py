"""The voice-of-the-child phenomena a visit record can carry: aided communication, messages,
letters, several children speaking, a parent interpreting, old words retold, and the
near-misses that are not voice (greetings, stock phrases, parents' accounts)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from notereview.synth._case_base import BuilderBase
from notereview.synth._case_data import _DICTATION_WORDS
from notereview.synth._case_facts import CaseFacts, VisitFacts
from notereview.synth._data import Quote, TopicDef, lower_first
from notereview.synth._phenomena import WorkerHabits, introduce, stronger_voice
from notereview.synth._text import (
    PRONOUNS,
    VisitLayout,
    capitalise,
    day_month,
    dictate,
    month_name,
    ordinal,
)


class VoiceWriter(BuilderBase):
    """Writes the sentences that carry (or only seem to carry) the child's own words."""

    # ------------------------------------------------------------------ phenomena
    def _comp(self, comps: dict[str, list[str]], name: str) -> list[str]:
        """A style's phrasings of a component, or the shared ones (phenomena.yaml)."""
        own = comps.get(name)
        return own if own else self.gen.phen.components[name]

    def _pchoice(self, items: list[str]) -> str:
        """One of ``items``, filled in, drawn from the phenomena stream."""
        return items[int(self.prng.random() * len(items))].format_map(self.ctx)

    def _fresh(self, pool: list[Quote], draw: Callable[[], float]) -> Quote:
        """A quote this child has not said yet (children do not repeat their words on cue; a
        quote seen again is one written in as if new, see :meth:`_old_words`)."""
        fresh = [x for x in pool if x.d not in self.used_quotes] or pool
        quote = fresh[int(draw() * len(fresh))]
        self.used_quotes.add(quote.d)
        return quote

    @staticmethod
    def _role(who: str) -> str:
        return "parent" if who in ("Mum", "Dad", "M", "F") else "carer"

    def _finish(
        self,
        v: VisitFacts,
        layout: VisitLayout,
        parts: list[tuple[str, str]],
        habits: WorkerHabits,
    ) -> str:
        names = self.names
        assert names is not None
        word = self.ctx["name"]
        text = layout.compose(parts, self.rng, word)
        if v.name_form == "intro":
            text = introduce(text, names)
        rx = self.name_rx.get(word)
        if rx is None:
            rx = self.name_rx[word] = re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])")
        if word not in text or not rx.search(text):
            v.name_form = "none"  # the record never names the child
        if habits.dictation and self.prng.random() < habits.dictation:
            text = dictate(text, self.prng)
        if any(t in text for t in _DICTATION_WORDS):
            v.tags.append("dictation")
        if "stock_phrase" in v.negatives or any(x in text for x in self.gen.phen.pools.no_concerns):
            v.tags.append("stock_phrase")
        return text

    def _aided(self, f: CaseFacts, v: VisitFacts) -> str:
        """The child's words through a communication route: the component, with its words in
        the context (labelled direct: signs, symbols, a talker, eye-gaze, an interpreter)."""
        ctx, c, pools, prng = self.ctx, self.gen.content, self.gen.phen.pools, self.prng
        tag = f.comm
        if f.comm == "makaton":
            ctx["signs"] = " ".join(self.rng.sample(c.makaton_signs, 2))
            words, comp = ctx["signs"], "voice_makaton"
        elif f.comm == "app":
            ctx["app_words"] = self.ch(c.app_words)
            words, comp = ctx["app_words"], "voice_app"
        elif f.comm == "bsl":
            ctx["bsl"] = pools.bsl_signs[int(prng.random() * len(pools.bsl_signs))]
            words, comp = ctx["bsl"], "voice_bsl"
        elif f.comm == "pecs":
            ctx["strip"] = pools.pecs_strips[int(prng.random() * len(pools.pecs_strips))]
            words, comp = ctx["strip"], "voice_pecs"
        elif f.comm == "eyegaze":
            ctx["gaze"] = pools.eyegaze_choices[int(prng.random() * len(pools.eyegaze_choices))]
            words, comp = ctx["gaze"], "voice_eyegaze"
        else:
            ctx["language"] = self.ch(c.languages)
            words, comp = ctx["reported"], "voice_interpreter"
        v.tags.append(tag)
        v.speakers.append(("child", tag, words))
        return comp

    def _message(self, v: VisitFacts, wishes: bool) -> None:
        """A young person's text or WhatsApp message quoted (direct)."""
        messages = [m for m in self.gen.phen.pools.messages if m.wf == wishes]
        m = messages[int(self.prng.random() * len(messages))]
        self.ctx["message"] = self._fmt(m.d)
        self.ctx["topic"] = self._fmt(m.topic)
        v.voice = stronger_voice(v.voice, "direct")
        v.tags.append("text_message")
        v.speakers.append(("child", "message", self.ctx["message"]))
        self.said.append((v.day, self.ctx["message"]))

    def _out_of_reach(
        self, f: CaseFacts, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        """A young person not seen: the worker's texts and calls, and what came back."""
        x = self.prng.random()
        if x < 0.45:
            parts.append(("attempt_remote", self._pchoice(self._comp(comps, "attempt_remote"))))
            v.voice = "attempted_not_obtained"
            v.tags.append("remote_attempt")
        elif x < 0.6:
            self._message(v, self.prng.random() < 0.5)
            parts.append(("voice_text", self._pchoice(self._comp(comps, "voice_text"))))
        elif x < 0.7:
            self._emoji(v, parts, comps)

    def _emoji(
        self, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        self.ctx["emoji"] = self._pchoice(self.gen.phen.pools.emoji)
        parts.append(("neg_emoji", self._pchoice(self._comp(comps, "neg_emoji"))))
        v.tags.append("emoji")
        v.negatives.append("emoji")
        v.speakers.append(("child", "emoji", self.ctx["emoji"]))

    def _parent_interprets(
        self,
        v: VisitFacts,
        parts: list[tuple[str, str]],
        comps: dict[str, list[str]],
        reads: bool = False,
    ) -> None:
        """A parent or carer interpreting for the child, or (``reads``) saying what a
        non-verbal child's sounds mean: not the child's voice."""
        ctx = self.ctx
        ctx["parent"] = self.adults[int(self.prng.random() * len(self.adults))]
        ctx["speech"] = self._pchoice(self.gen.phen.pools.parent_speech)
        comp = "neg_parent_reads" if reads else "neg_parent_interprets"
        parts.append((comp, self._pchoice(self._comp(comps, comp))))
        v.tags.append("parent_interprets")
        v.negatives.append("parent_interpreting")
        v.speakers.append((self._role(ctx["parent"]), "interprets", ctx["speech"]))

    def _old_words(
        self, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        """Words the child said two or more months ago, written in again as if new (not voice)."""
        old = [w for day, w in self.said if (v.day - day).days >= 60]
        if not old or self.prng.random() >= 0.12:
            return
        ctx = self.ctx
        ctx["old_quote"] = old[int(self.prng.random() * len(old))]
        if self.prng.random() < 0.5:
            ctx["quote"] = ctx["old_quote"]
            comp, tpl = "voice_direct", self._pchoice(comps["voice_direct"])
        else:
            comp, tpl = "old_words", self._pchoice(self._comp(comps, "old_words"))
        parts.append((comp, tpl))
        v.tags.append("old_words")
        v.negatives.append("old_words_repeated")
        v.speakers.append(("child", "old", ctx["old_quote"]))

    def _decision(self, f: CaseFacts, v: VisitFacts, topic: TopicDef) -> None:
        """The plan meeting whose decision the visit follows up, in the context."""
        plan = f.plan
        assert plan is not None
        held = [d for d in plan.reviews if d < v.day]
        day = held[-1] if held else plan.start
        ctx = self.ctx
        ctx["forum_date"], ctx["forum_month"] = day_month(day), month_name(day)
        forum = self._pchoice(self.gen.phen.pools.forums[plan.plan_type])
        ctx["forum"], ctx["forum_cap"] = forum, capitalise(forum)
        ctx["decision"] = self._pchoice(topic.decision)

    def _multi_voice(
        self, f: CaseFacts, v: VisitFacts, parts: list[tuple[str, str]], with_child: bool
    ) -> None:
        """Several people quoted in one passage, each attributed; the child among them or not."""
        prng, pools, ctx = self.prng, self.gen.phen.pools, self.ctx
        cast: list[tuple[str, str, str]] = []  # (role, who, words)
        if self.adults:
            who = self.adults[int(prng.random() * len(self.adults))]
            if prng.random() < 0.5:
                line = self._pchoice(pools.carer_lines)
            else:
                items = self.gen.content.parent_items
                line = self._fmt(items[int(prng.random() * len(items))].q)
            cast.append((self._role(who), who, line))
        if self.siblings and prng.random() < 0.6:
            sib, _ = self.siblings[int(prng.random() * len(self.siblings))]
            cast.append(("sibling", sib, self._pchoice(self.gen.content.sibling_items)))
        if len(cast) < 2 or prng.random() < 0.4:
            present = capitalise(self._pchoice(pools.worker_present))
            cast.append(("professional", present, self._pchoice(pools.worker_lines)))
        if with_child:
            pool = self.gen.content.quotes[self.band]
            quote = self._fresh(pool, prng.random)
            words = self._fmt(quote.d)
            cast.insert(1 + int(prng.random() * len(cast)), ("child", ctx["name"], words))
            v.voice = stronger_voice(v.voice, "direct")
            v.wishes = v.wishes or quote.wf
            self.said.append((v.day, capitalise(words)))
        out = []
        for role, who, words in cast:
            verb = self._pchoice(pools.say_verbs)
            x = prng.random()
            line = capitalise(words)
            after = lower_first(who) if who.startswith(("The ", "A ")) else who
            if x < 0.45:
                out.append(f'{who} {verb}, "{line}."')
            elif x < 0.8 and verb in ("said", "added", "replied", "answered", "muttered"):
                out.append(f'"{line}," {verb} {after}.')
            elif x < 0.9:
                out.append(f'"{line}," {after} {verb}.')
            else:
                out.append(f'{who}: "{line}".')
            v.speakers.append((role, "quoted", line))
        parts.append(("multi_voice", " ".join(out)))
        v.tags.append("multi_speaker")

    def _letter(self, f: CaseFacts, v: VisitFacts, open_topics: list[str]) -> None:
        """The visit record written as a letter to the child ("you told me..." is direct)."""
        gen, prng, q = self.gen, self.prng, self.q["content"]
        names = self.names
        assert names is not None
        letter = gen.phen.letter
        saved = dict(self.ctx)
        ctx = self.ctx
        if names.nickname and names.habit in ("nickname", "intro"):
            ctx["name"], v.name_form = names.nickname, "nickname"
        else:
            ctx["name"], v.name_form = names.registered, "registered"
        pick = self._pchoice
        # the plan's words speak of the child in the third person; the letter, to "you"
        purpose = letter.purpose_generic if prng.random() < 0.6 else []
        if f.plan and open_topics and prng.random() < 0.1 + 0.78 * q:
            topic = gen.records.topics[open_topics[int(prng.random() * len(open_topics))]]
            ctx["plan_phrase"] = pick(topic.purpose)
            purpose = letter.purpose_plan
            if prng.random() < 0.4:
                self._decision(f, v, topic)
                purpose = letter.purpose_decision
                v.tags.append("plan_by_decision")
            v.plan_linked = True
        ctx.update(PRONOUNS["you"])
        paras = [pick(letter.open)]
        first = [pick(letter.visit)]
        if purpose:
            first.append(pick(purpose))
        paras.append(" ".join(first))
        talk = [pick(letter.seen_alone if v.seen_alone else letter.seen_with)]
        r = prng.random()
        if r < 0.25 + 0.55 * q:
            wishes = prng.random() < 0.35 + 0.55 * q
            quotes = [x for x in gen.content.quotes[self.band] if x.wf == wishes]
            quote = self._fresh(quotes, prng.random)
            ctx["quote"], ctx["reported"] = self._fmt(quote.d), self._fmt(quote.r)
            ctx["topic"] = self._fmt(quote.topic or "how things are")
            if prng.random() < 0.6:
                talk.append(pick(letter.voice_direct))
                v.speakers.append(("child", "quoted", ctx["quote"]))
                self.said.append((v.day, ctx["quote"]))
            else:
                talk.append(pick(letter.voice_reported))
                v.speakers.append(("child", "you_said", ctx["reported"]))
            v.voice, v.wishes = "direct", wishes
            v.tags.append("letter_you_said")
        elif r < 0.35 + 0.55 * q:
            talk.append(pick(letter.attempt))
            v.voice = "attempted_not_obtained"
            v.negatives.append("attempt")
        if self.adults and prng.random() < 0.2:
            items = gen.content.parent_items
            item = items[int(prng.random() * len(items))]
            ctx["parent"] = self.adults[int(prng.random() * len(self.adults))]
            ctx["parent_quote"], ctx["parent_report"] = self._fmt(item.q), self._fmt(item.r)
            tpl = letter.neg_parent[int(prng.random() * len(letter.neg_parent))]
            talk.append(self._fmt(tpl))
            quoted = "{parent_quote}" in tpl
            words = ctx["parent_quote"] if quoted else ctx["parent_report"]
            how = "quoted" if quoted else "reported"
            v.speakers.append((self._role(ctx["parent"]), how, words))
            v.negatives.append("parent_words")
        paras.append(" ".join(talk))
        if prng.random() < 0.08 + 0.8 * q:
            paras.append(pick(letter.analysis))
            v.analysis = True
            v.tags.append("plain_analysis")
        if prng.random() < 0.3 + 0.6 * q:
            paras.append(pick(letter.next))
            v.next_steps = True
        paras.append(pick(letter.close))
        v.text = "\n\n".join(paras)
        v.tags.append("letter")
        self.ctx.clear()
        self.ctx.update(saved)

    def _dates(self, d: date) -> tuple[str, str, str]:
        day = ordinal(d.day)
        month = month_name(d)
        return (
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{day} {month} {d.year}",
            f"{day} of {month}",
        )

    def _neg_parent(
        self, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        ctx = self.ctx
        item = self.ch(self.gen.content.parent_items)
        ctx["parent"] = self.ch(self.adults)
        ctx["parent_quote"] = self._fmt(item.q)
        ctx["parent_report"] = self._fmt(item.r)
        tpl = self.ch(comps["neg_parent"])
        parts.append(("neg_parent", self._fmt(tpl)))
        quoted = "{parent_quote}" in tpl
        words = ctx["parent_quote"] if quoted else ctx["parent_report"]
        v.speakers.append((self._role(ctx["parent"]), "quoted" if quoted else "reported", words))

    def _negatives(
        self, f: CaseFacts, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        ctx, c, ch, rnd = self.ctx, self.gen.content, self.ch, self.rng.random
        prng, pools = self.prng, self.gen.phen.pools
        negatives = v.negatives
        none_voice = v.voice == "none"
        verbal = f.verbal
        if rnd() < 0.25:
            self._neg_parent(v, parts, comps)
            negatives.append("parent_words")
        if self.siblings and rnd() < 0.1:
            ctx["sib"], ctx["sib_rel"] = ch(self.siblings)
            ctx["sib_quote"] = ch(c.sibling_items)
            parts.append(("neg_other_child", ch(comps["neg_other_child"]).format_map(ctx)))
            negatives.append("other_child_words")
            v.speakers.append(("sibling", "quoted", ctx["sib_quote"]))
        if rnd() < 0.12:
            ctx["prof"] = ch(self.profs)
            ctx["prof_account"] = ch(c.prof_accounts).format_map(ctx)
            parts.append(("neg_professional", ch(comps["neg_professional"]).format_map(ctx)))
            negatives.append("professional_account")
            v.speakers.append(("professional", "reported", ctx["prof_account"]))
        if f.age >= 3 and rnd() < 0.08:
            ctx["hypo"] = ch(c.hypotheticals).format_map(ctx)
            parts.append(("neg_hypothetical", ch(comps["neg_hypothetical"]).format_map(ctx)))
            negatives.append("hypothetical")
        if verbal and rnd() < 0.07 and (v.day - f.hist_start).days > 120:
            past = v.day - timedelta(days=self.ri(60, 110))
            ctx["month"] = month_name(past)
            ctx["history"] = ch(c.history_items).format_map(ctx)
            parts.append(("neg_history", ch(comps["neg_history"]).format_map(ctx)))
            negatives.append("history")
        if rnd() < (0.3 if none_voice else 0.12):
            parts.append(("neg_name_object", ch(comps["neg_name_object"]).format_map(ctx)))
            negatives.append("name_as_object")
        if verbal and rnd() < (0.35 if none_voice else 0.1):
            ctx["stock"] = ch(pools.more_stock if prng.random() < 0.4 else c.stock)
            ctx["stock"] = ctx["stock"].format_map(ctx)
            parts.append(("neg_stock", ch(comps["neg_stock"]).format_map(ctx)))
            negatives.append("stock_phrase")
        if verbal and rnd() < 0.08:
            parts.append(("neg_greeting", ch(comps["neg_greeting"]).format_map(ctx)))
            negatives.append("greeting")
        if self.adults and prng.random() < 0.1:
            ctx["parent"] = self.adults[int(prng.random() * len(self.adults))]
            ctx["view"] = self._pchoice(pools.carer_views)
            parts.append(("neg_carer_view", self._pchoice(self._comp(comps, "neg_carer_view"))))
            negatives.append("carer_account")
            v.speakers.append((self._role(ctx["parent"]), "view", ctx["view"]))
        if f.age >= 13 and prng.random() < 0.05:
            self._emoji(v, parts, comps)
