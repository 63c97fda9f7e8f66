"""Every Touchpoint model, importable from one place."""

from audits.models.account_link import AccountLink, LinkPurpose
from audits.models.acknowledgement import ScorecardAcknowledgement
from audits.models.alert import AlertDelivery, AlertKind, AlertPreference
from audits.models.appeals import Appeal, AppealOutcome
from audits.models.audit import AuditEntry
from audits.models.base import Base, UTCDateTime
from audits.models.calibration import (
    CalibrationExercise,
    CalibrationParticipant,
    CalibrationReference,
    ExerciseStatus,
    ScoreSheet,
    SheetAnswer,
)
from audits.models.call import Call, CallEvent
from audits.models.contact import (
    Contact,
    ContactEdit,
    ContactSectionPoints,
    ContactStatus,
    Evidence,
    EvidenceKind,
    Outcome,
    Response,
    ReviewAction,
    ReviewEvent,
)
from audits.models.district import Closure, District
from audits.models.double_scoring import DoubleScoring, SecondAnswer
from audits.models.follow_up import FollowUpTarget
from audits.models.idempotency import IdempotentRequest
from audits.models.job import Job, JobKind, JobState
from audits.models.mail_poll import InboundTouch, MessageState, ReceivedMessage, TouchKind
from audits.models.mailbox import MailSecurity, PersonaMailbox, PollStatus, ReplyStatus
from audits.models.outbox import OutboxEmail
from audits.models.pair import PairTrait, ScenarioPair
from audits.models.plans import (
    ActionPlan,
    PlanAction,
    PlanEvent,
    PlanEventKind,
    PlanEvidence,
    PlanReason,
    PlanReminder,
    PlanStatus,
)
from audits.models.reminder import ReminderKind, ReminderLog
from audits.models.retention import HoldAction, LegalHoldEvent, RetentionPurge
from audits.models.round import (
    Assignment,
    AuditorProfile,
    Round,
    RoundChannel,
    RoundStatus,
    SchoolSelection,
    Slot,
    auditor_conflicts,
    round_schools,
)
from audits.models.round_event import ClosedAssignment, RoundEvent
from audits.models.rubric import (
    Channel,
    ChoiceOption,
    CriticalPolicy,
    ItemKind,
    Rubric,
    RubricItem,
    RubricSection,
    RubricStatus,
    TimingUnit,
)
from audits.models.scenario import Scenario, ScriptValue
from audits.models.school import Level, School
from audits.models.school_import import CREATED, BatchKind, ImportBatch, SchoolChange
from audits.models.scorecard import PublicationAction, Scorecard, ScorecardPublication, ScorecardView
from audits.models.sign_in import SignIn
from audits.models.token import ApiToken, TokenScope
from audits.models.two_step import RecoveryCode, TwoStepKey
from audits.models.user import LoginFailure, Role, User, principal_schools

__all__ = [
    "CREATED",
    "AccountLink",
    "ActionPlan",
    "AlertDelivery",
    "AlertKind",
    "AlertPreference",
    "ApiToken",
    "Appeal",
    "AppealOutcome",
    "Assignment",
    "AuditEntry",
    "AuditorProfile",
    "Base",
    "BatchKind",
    "CalibrationExercise",
    "CalibrationParticipant",
    "CalibrationReference",
    "Call",
    "CallEvent",
    "Channel",
    "ChoiceOption",
    "ClosedAssignment",
    "Closure",
    "Contact",
    "ContactEdit",
    "ContactSectionPoints",
    "ContactStatus",
    "CriticalPolicy",
    "District",
    "DoubleScoring",
    "Evidence",
    "EvidenceKind",
    "ExerciseStatus",
    "FollowUpTarget",
    "HoldAction",
    "IdempotentRequest",
    "ImportBatch",
    "InboundTouch",
    "ItemKind",
    "Job",
    "JobKind",
    "JobState",
    "LegalHoldEvent",
    "Level",
    "LinkPurpose",
    "LoginFailure",
    "MailSecurity",
    "MessageState",
    "OutboxEmail",
    "Outcome",
    "PairTrait",
    "PersonaMailbox",
    "PlanAction",
    "PlanEvent",
    "PlanEventKind",
    "PlanEvidence",
    "PlanReason",
    "PlanReminder",
    "PlanStatus",
    "PollStatus",
    "PublicationAction",
    "ReceivedMessage",
    "RecoveryCode",
    "ReminderKind",
    "ReminderLog",
    "ReplyStatus",
    "Response",
    "RetentionPurge",
    "ReviewAction",
    "ReviewEvent",
    "Role",
    "Round",
    "RoundChannel",
    "RoundEvent",
    "RoundStatus",
    "Rubric",
    "RubricItem",
    "RubricSection",
    "RubricStatus",
    "Scenario",
    "ScenarioPair",
    "School",
    "SchoolChange",
    "SchoolSelection",
    "ScoreSheet",
    "Scorecard",
    "ScorecardAcknowledgement",
    "ScorecardPublication",
    "ScorecardView",
    "ScriptValue",
    "SecondAnswer",
    "SheetAnswer",
    "SignIn",
    "Slot",
    "TimingUnit",
    "TokenScope",
    "TouchKind",
    "TwoStepKey",
    "UTCDateTime",
    "User",
    "auditor_conflicts",
    "principal_schools",
    "round_schools",
]
