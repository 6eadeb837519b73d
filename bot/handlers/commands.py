"""/help and /privacy (and any command Sathi does not know, which gets the help)."""

from telegram import Update

from bot import keyboards, render
from bot.context import SathiContext
from bot.deps import with_member


@with_member
async def show_help(update: Update, context: SathiContext) -> None:
    """How to use Sathi, in a few plain sentences."""
    t = context.t
    context.reply(render.lines(
        t.gettext(
            "Sathi is an automatic helper, not a person. Choose a topic from the menu, or write "
            "your question in a few words, in your own language."
        ),
        t.gettext(
            "/menu shows the topics. /language changes the language. /privacy tells what "
            "Sathi keeps about you."
        ),
        t.gettext(
            "To write to a person from the workers' union, choose “Talk to a volunteer” in the "
            "menu. /cases shows your cases."
        ),
        t.gettext("In danger? Call 112 for the police, 119 for fire and ambulance."),
    ), keyboards.menu_button(t))


@with_member
async def show_privacy(update: Update, context: SathiContext) -> None:
    """What Sathi stores and why; promises nothing that is not built."""
    t = context.t
    context.reply(render.lines(
        t.gettext("What Sathi keeps about you:"),
        t.gettext(
            "1. A code made from your Telegram account number with a secret key. With it Sathi "
            "knows that you wrote before. The code cannot be turned back into your number "
            "without the key."
        ),
        t.gettext("2. Your chat number, locked with encryption, so that Sathi can answer you."),
        t.gettext("3. The language you chose."),
        t.gettext(
            "4. If you talk to a volunteer: your messages to the volunteers, locked with "
            "encryption. Voice messages, photos and files stay on Telegram; Sathi keeps only a "
            "locked link to them. Only union volunteers who speak your language, and the union "
            "staff who run Sathi, can read them."
        ),
        t.gettext(
            # Translators: {days} and {member_days} are numbers of days.
            "Sathi deletes your messages {days} days after your case is closed, and everything "
            "about you after {member_days} days without a message from you. You can delete "
            "everything yourself at any time with /forget.",
            days=context.runtime.settings.retention_case_days,
            member_days=context.runtime.settings.retention_member_days,
        ),
        t.gettext(
            "5. A locked copy of each message you send to Sathi, usually for one day and at most "
            "for about a week, so that no message is lost if Sathi restarts."
        ),
        t.gettext(
            "Sathi does not keep your name, your username or your phone number. It does not "
            "need your visa status, passport or address: please do not send them."
        ),
    ), keyboards.menu_button(t))
