"""Every kind of page, as each person sees it, found in the demo district (for axe and layout checks)."""

from __future__ import annotations

from audits.demo import DEMO_PRINCIPAL_SCHOOL

ADMIN = "admin@example.org"
LEADER = "leader@example.org"
REVIEWER = "reviewer@example.org"
AUDITOR = "auditor1@example.org"
PRINCIPAL = "principal@example.org"
# The demo's publication opens a plan for the first school below the alert threshold: this one's.
PLAN_PRINCIPAL = "principal@example.org"  # the demo leaves their plan a draft to write

# What to open, found in the demo's data: round ids by status, a contact waiting for review,
# an assignment of the auditor's nobody has started, the principal's school.
TARGETS = {
    "round_in_field": "SELECT id FROM rounds WHERE status = 'in_field' ORDER BY id LIMIT 1",
    "round_published": "SELECT id FROM rounds WHERE status = 'published' ORDER BY id LIMIT 1",
    "round_paired": "SELECT id FROM rounds WHERE status = 'closed' AND name LIKE '%equal service%' LIMIT 1",
    "submitted_contact": "SELECT id FROM contacts WHERE status = 'submitted' ORDER BY id LIMIT 1",
    "open_assignment": (
        "SELECT a.id FROM assignments a JOIN users u ON u.id = a.auditor_id "
        "JOIN rounds r ON r.id = a.round_id WHERE u.email = 'auditor1@example.org' AND r.status = 'in_field' "
        "AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.assignment_id = a.id) ORDER BY a.id LIMIT 1"
    ),
    "principal_school": f"SELECT id FROM schools WHERE nces_id = '{DEMO_PRINCIPAL_SCHOOL}'",
    "auditor_user": "SELECT id FROM users WHERE email = 'auditor1@example.org'",
    "import_batch": "SELECT id FROM import_batches ORDER BY id LIMIT 1",
    "published_rubric": "SELECT id FROM rubrics WHERE status = 'published' ORDER BY id LIMIT 1",
    "plan": (
        "SELECT p.id FROM action_plans p JOIN principal_schools ps ON ps.school_id = p.school_id "
        "JOIN users u ON u.id = ps.user_id WHERE u.email = 'principal@example.org' AND p.status = 'draft' "
        "ORDER BY p.id LIMIT 1"
    ),
    "principal_scorecard": (
        "SELECT sc.id FROM scorecards sc JOIN schools s ON s.id = sc.school_id "
        f"WHERE s.nces_id = '{DEMO_PRINCIPAL_SCHOOL}' AND sc.published_at IS NOT NULL ORDER BY sc.id LIMIT 1"
    ),
    "upheld_appeal": "SELECT id FROM appeals WHERE outcome = 'upheld' ORDER BY id LIMIT 1",
    "second_scoring": (
        "SELECT d.id FROM double_scorings d JOIN users u ON u.id = d.second_auditor_id "
        "WHERE u.email = 'auditor1@example.org' ORDER BY d.id LIMIT 1"
    ),
}

PAGES = [
    ("login", None, "/login"),
    ("admin home", ADMIN, "/"),
    ("rubric library", ADMIN, "/rubrics/"),
    ("a rubric version", ADMIN, "/rubrics/{published_rubric}"),
    ("retiring a rubric version, asked first", ADMIN, "/rubrics/{published_rubric}/retire"),
    ("districts side by side", ADMIN, "/districts/compare"),
    ("leader home", LEADER, "/"),
    ("school list", LEADER, "/schools/"),
    ("school import", LEADER, "/schools/import"),
    ("school directory import", LEADER, "/schools/directory"),
    ("undoing an import", LEADER, "/schools/imports/{import_batch}/undo"),
    ("schools missing an email", LEADER, "/schools/?missing=email"),
    ("scenarios", LEADER, "/scenarios/"),
    ("school page", LEADER, "/schools/{principal_school}"),
    ("round list", LEADER, "/rounds/"),
    ("round in the field", LEADER, "/rounds/{round_in_field}"),
    ("progress board", LEADER, "/rounds/{round_in_field}/progress"),
    ("closing a round, asked first", LEADER, "/rounds/{round_in_field}/close"),
    ("round dashboard", LEADER, "/rounds/{round_in_field}/dashboard"),
    ("heat map", LEADER, "/rounds/{round_in_field}/heatmap"),
    ("equal service (paired testing)", LEADER, "/rounds/{round_paired}/equity"),
    ("school results", LEADER, "/schools/{principal_school}/results"),
    ("scorecards of a round", LEADER, "/scorecards/rounds/{round_published}"),
    ("unpublishing scorecards, asked first", LEADER, "/scorecards/rounds/{round_published}/unpublish"),
    ("auditors", LEADER, "/auditors/"),
    ("district settings", LEADER, "/district"),
    ("people", LEADER, "/users/"),
    ("a person", LEADER, "/users/{auditor_user}"),
    ("audit log", ADMIN, "/users/audit-log"),
    ("invite a person", LEADER, "/users/invite"),
    ("staff import", LEADER, "/users/import/"),
    ("staff import, choosing the district", ADMIN, "/users/import/"),
    ("forgot password", None, "/password/forgot"),
    ("reviewer home", REVIEWER, "/"),
    ("review queue", REVIEWER, "/review/"),
    ("contact under review", REVIEWER, "/contacts/{submitted_contact}"),
    ("correcting a contact", REVIEWER, "/contacts/{submitted_contact}/review-edit"),
    ("auditor home", AUDITOR, "/"),
    ("assignments", AUDITOR, "/assignments/"),
    ("account", AUDITOR, "/account"),
    ("two-step sign-in set-up", AUDITOR, "/account/two-step"),
    ("contact form", AUDITOR, "/assignments/{open_assignment}/contact"),
    ("contacts to score again", AUDITOR, "/double-scoring/"),
    ("a contact scored again, blind", AUDITOR, "/double-scoring/{second_scoring}"),
    ("a published round, with its agreement between auditors", LEADER, "/rounds/{round_published}"),
    ("replies to confirm", AUDITOR, "/mail/suggestions"),
    ("leader's account, with the email digests", LEADER, "/account"),
    ("a school's portal, as its leader reads it", LEADER, "/schools/{principal_school}/portal"),
    ("principal home", PRINCIPAL, "/"),
    ("principal's school", PRINCIPAL, "/schools/{principal_school}"),
    ("action plans", LEADER, "/plans/"),
    ("an action plan", LEADER, "/plans/{plan}"),
    ("an action plan, as its principal", PLAN_PRINCIPAL, "/plans/{plan}"),
    ("principal's contacts and answers", PRINCIPAL, "/appeals/scorecards/{principal_scorecard}"),
    ("principal's queries", PRINCIPAL, "/appeals/"),
    ("an appeal, as its principal reads it", PRINCIPAL, "/appeals/{upheld_appeal}"),
    ("appeals to decide", LEADER, "/appeals/"),
    ("an appeal, as a reviewer reads it", REVIEWER, "/appeals/{upheld_appeal}"),
]
