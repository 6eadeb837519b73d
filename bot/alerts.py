"""What the bot says first to a worker in crisis or in danger (knowledge.triage decides which).

A crisis answer: a warm line, 109, 119/112, how to get an interpreter on the line. A danger
answer: the number for what is happening (112 police, 119 fire and ambulance), a sentence in
Korean to say on the phone, and for a raid what the worker may do and say. Every number and
rule here is from the union's fact sheet (facts.md: crisis-mental-health, emergency-contacts,
immigration-raid-detention, discrimination).
"""

from __future__ import annotations

from bot.render import Doc
from knowledge.triage import FIRE_KINDS, POLICE_KINDS, Alert, Level
from sathi.i18n import Translator

CRISIS_SLUG = "crisis-mental-health"
RAID_SLUG = "immigration-raid-detention"
EMERGENCY_SLUG = "emergency-contacts"

# What to say to 112 or 119, in polite Korean; ○○ is where the worker says their address.
KOREAN_CALL = {
    "fire": "불이 났어요. 주소는 ○○입니다. 빨리 와 주세요.",
    "gas": "가스(화학물질)가 새고 있어요. 주소는 ○○입니다. 빨리 와 주세요.",
    "medical": "사람이 쓰러졌어요(크게 다쳤어요). 주소는 ○○입니다. 구급차를 보내 주세요.",
    "violence": "지금 폭행을 당하고 있어요. 주소는 ○○입니다. 빨리 와 주세요.",
    "weapon": "칼(흉기)을 든 사람이 있어요. 주소는 ○○입니다. 빨리 와 주세요.",
    "sexual": "성폭력을 당했어요. 주소는 ○○입니다. 도와주세요.",
    "held": "갇혀서 나갈 수 없어요. 주소는 ○○입니다. 도와주세요.",
    "help": "위험해요. 주소는 ○○입니다. 도와주세요.",
}
# What to say to officers at the door: "Please tell me your office, your name and why you came."
KOREAN_TO_OFFICERS = "소속과 이름, 방문 목적을 말씀해 주세요."


def topic_of(alert: Alert) -> str:
    """The article a volunteer case from this alert is about."""
    if alert.level is Level.crisis:
        return CRISIS_SLUG
    return RAID_SLUG if alert.kind == "raid" else EMERGENCY_SLUG


def crisis(t: Translator) -> list[str]:
    """For a worker who may hurt themselves: warmth first, then 109, then the other lines."""
    doc = Doc().add("💛 ").add(
        t.gettext("You are not alone. We are here, and we want to help you."), "bold"
    )
    for line in (
        t.gettext("Call 109 now. It is the suicide-prevention line: free, 24 hours a day. "
                  "They speak Korean."),
        t.gettext("If your life is in danger right now, call 119 (ambulance) or 112 (police)."),
        t.gettext("For an interpreter on the call: 1345 (weekdays 09:00-22:00) or 1577-0071 "
                  "(every day 09:00-18:00) can join a three-way call in your language."),
        t.gettext("You can also talk to a union volunteer now. Press the button."),
    ):
        doc.add("\n\n").add(line)
    return doc.messages()


def danger(alert: Alert, t: Translator) -> list[str]:
    """The number for what is happening, a Korean sentence to say, for a raid the rules."""
    doc = Doc().add("🆘 ").add(t.gettext("If you are in danger, call for help now."), "bold")
    kinds = set(alert.kinds)
    police = bool(kinds & POLICE_KINDS) or "help" in kinds
    fire = bool(kinds & FIRE_KINDS) or "help" in kinds
    numbers = []
    if fire and not (kinds & POLICE_KINDS):
        numbers.append(t.gettext("Call 119 now: fire and ambulance."))
    if police:
        numbers.append(t.gettext("Call 112 now: police. The police have interpreters."))
    if fire and kinds & POLICE_KINDS:
        numbers.append(t.gettext("Call 119 now: fire and ambulance."))
    for line in numbers:
        doc.add("\n\n").add(line, "bold")
    spoken = next((KOREAN_CALL[kind] for kind in alert.kinds if kind in KOREAN_CALL), None)
    if spoken:
        doc.add("\n\n").add(t.gettext("Say this in Korean, with your address where ○○ is:"))
        doc.add("\n").add(spoken, "bold")
    if "raid" in kinds:
        for line in (
            t.gettext("Immigration officers who come to a home or a workplace must tell you "
                      "their office, their name and why they came, and ask for consent before "
                      "they inspect."),
            t.gettext("Do not run and do not jump: people have died or been badly hurt running "
                      "from raids."),
            t.gettext("Your unpaid wages can still be claimed, even after detention or after "
                      "you leave Korea."),
            t.gettext("Abuse in detention: the National Human Rights Commission, 1331 "
                      "(weekdays 09:00-18:00)."),
        ):
            doc.add("\n\n").add(line)
        doc.add("\n\n").add(t.gettext("You can say in Korean:")).add("\n")
        doc.add(KOREAN_TO_OFFICERS, "bold")
    doc.add("\n\n").add(t.gettext("The union can help you too: press the button to talk to "
                                  "a volunteer."))
    return doc.messages()


def answer(alert: Alert, t: Translator) -> list[str]:
    """The crisis or the danger answer."""
    return crisis(t) if alert.level is Level.crisis else danger(alert, t)
