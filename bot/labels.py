"""Names the bot shows for things that have no text of their own: categories, commands, states.

Marked with N_ so that pybabel extracts them; translated at the moment they are shown.
"""

from sathi.enums import CaseStatus
from sathi.i18n import N_

CATEGORY_NAMES: dict[str, str] = {
    # Translators: this and the next five are the groups of topics on the main menu (buttons:
    # keep them short).
    "before-you-go": N_("Before you come to Korea"),
    "at-work": N_("Pay and work"),
    "visa-and-jobs": N_("Visa and changing jobs"),
    "health-and-safety": N_("Health and safety"),
    "rights-and-safety": N_("Your rights"),
    "help": N_("Help numbers, money, going home"),
}

CATEGORY_ICONS: dict[str, str] = {
    "before-you-go": "✈️",
    "at-work": "💰",
    "visa-and-jobs": "🪪",
    "health-and-safety": "🏥",
    "rights-and-safety": "⚖️",
    "help": "🆘",
}

COMMANDS: dict[str, str] = {
    # Translators: this and the next six describe the bot's commands in Telegram's menu.
    "start": N_("Start and choose your language"),
    "menu": N_("Show the topics"),
    "language": N_("Change the language"),
    "help": N_("How to use Sathi"),
    "privacy": N_("What Sathi keeps about you"),
    "cases": N_("Your cases with volunteers"),
    "forget": N_("Delete everything Sathi keeps about you"),
}

COUNTRY_NOTES: dict[str, str] = {
    # Translators: this and the next two are buttons under an article for English and Korean
    # readers: each shows the article's notes for workers from that country.
    "nepal": N_("For workers from Nepal"),
    "bangladesh": N_("For workers from Bangladesh"),
    "philippines": N_("For workers from the Philippines"),
}

COUNTRY_FLAGS: dict[str, str] = {"nepal": "🇳🇵", "bangladesh": "🇧🇩", "philippines": "🇵🇭"}

CASE_STATES: dict[CaseStatus, str] = {
    # Translators: this and the next three say where a worker's case stands, after "Case
    # K7MP2QX:".
    CaseStatus.new: N_("waiting for a volunteer"),
    CaseStatus.assigned: N_("a volunteer is working on it"),
    CaseStatus.waiting_for_worker: N_("a volunteer answered you"),
    CaseStatus.resolved: N_("marked as solved"),
}
