"""Who may do what with oaths: the only place that decides.

* Regional admins write the texts, run campaigns, record paper signatures.
* Unit task-force members follow their unit's campaigns and chase non-signers
  (reminders to their unit). Leaders read.
* Staff sign their own oath and download their own statement.
"""

from satgas.accounts.roles import roles_for


def can_manage_texts(user) -> bool:
    return roles_for(user).is_regional_admin


def can_manage_campaigns(user) -> bool:
    return roles_for(user).is_regional_admin


def can_follow_campaigns(user) -> bool:
    roles = roles_for(user)
    return roles.sees_whole_region or roles.is_leader or roles.is_taskforce


def can_send_reminders(user) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or roles.is_taskforce


def can_record_paper(user) -> bool:
    return roles_for(user).is_regional_admin


def can_sign(user) -> bool:
    return roles_for(user).is_staff_member


def can_void_signatures(user) -> bool:
    """Void a signature (one its person reported "Bukan saya"), and see a signature's evidence."""
    return roles_for(user).is_regional_admin


def can_see_signature_evidence(user) -> bool:
    return roles_for(user).is_regional_admin
