"""The persona mailbox form. Real validation happens in ``audits.mail.mailboxes``."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import NumberInput

from app.forms import SiteForm
from audits.mail.mailboxes import MailboxSettings
from audits.models import MailSecurity

SECURITY_CHOICES = [SelectChoice(security.value, security.label) for security in MailSecurity]


def _port(label: str, hint: str) -> IntegerField:
    return IntegerField(
        label,
        description=hint,
        widget=NumberInput(),
        validators=[Optional()],
        render_kw={"min": 1, "max": 65535},
    )


def _security(value: object, default: MailSecurity) -> MailSecurity:
    """The security chosen; one not offered (the form reports it) reads as the usual one."""
    return MailSecurity(value) if value in MailSecurity._value2member_map_ else default


class MailboxForm(SiteForm):
    """A persona mailbox: its address, the SMTP server it sends through and the IMAP server it is read on."""

    address = EmailField(
        "Email address", description="The persona's address: schools see it and reply to it."
    )
    display_name = StringField(
        "Name shown to schools", description="As “Maria Family”. Leave empty for the address alone."
    )
    plus_addressing = BooleanField(
        "Plus-addressing: name+anything@ reaches this mailbox",
        description="Gmail, Outlook.com, Fastmail and most providers do: replies then name their contact "
        "even when the school starts a new message.",
    )
    smtp_host = StringField("SMTP server", description="The server that sends, as smtp.example.org.")
    smtp_security = SelectField(
        "SMTP security", choices=SECURITY_CHOICES, default=MailSecurity.STARTTLS.value
    )
    smtp_port = _port("SMTP port", "Leave empty for the usual one: 587 with STARTTLS, 465 with SSL/TLS.")
    smtp_username = StringField("SMTP user name", description="Leave empty to use the email address.")
    smtp_password = PasswordField(
        "SMTP password",
        description="Stored encrypted and never shown again. Leave empty to keep the stored one.",
    )
    imap_host = StringField(
        "IMAP server", description="The server replies are read from, as imap.example.org."
    )
    imap_security = SelectField("IMAP security", choices=SECURITY_CHOICES, default=MailSecurity.SSL.value)
    imap_port = _port("IMAP port", "Leave empty for the usual one: 993 with SSL/TLS, 143 with STARTTLS.")
    imap_username = StringField("IMAP user name", description="Leave empty to use the SMTP user name.")
    imap_password = PasswordField(
        "IMAP password", description="Leave empty to use the SMTP password (or to keep the stored one)."
    )
    imap_folder = StringField("Folder replies arrive in", default="INBOX")

    def settings(self) -> MailboxSettings:
        """The settings as the domain takes them."""
        return MailboxSettings(
            address=self.address.data or "",
            display_name=self.display_name.data or "",
            smtp_host=self.smtp_host.data or "",
            smtp_port=self.smtp_port.data,
            smtp_security=_security(self.smtp_security.data, MailSecurity.STARTTLS),
            smtp_username=self.smtp_username.data or "",
            smtp_password=self.smtp_password.data or "",
            imap_host=self.imap_host.data or "",
            imap_port=self.imap_port.data,
            imap_security=_security(self.imap_security.data, MailSecurity.SSL),
            imap_username=self.imap_username.data or "",
            imap_password=self.imap_password.data or "",
            imap_folder=self.imap_folder.data or "",
            plus_addressing=bool(self.plus_addressing.data),
        )

    def show(self, settings: MailboxSettings) -> None:
        """Fill the form with a mailbox's settings (never its passwords)."""
        self.process(
            data={
                **{name: getattr(settings, name) for name in ("address", "display_name", "smtp_host",
                   "smtp_port", "smtp_username", "imap_host", "imap_port", "imap_username", "imap_folder",
                   "plus_addressing")},
                "smtp_security": settings.smtp_security.value,
                "imap_security": settings.imap_security.value,
            }
        )  # fmt: skip
