"""Moderators' pages under ``/moderation/``; the audit log needs ``safety.view_audit_log``."""

from django.urls import path

from alongside.safety.views import appeals, moderation

app_name = "safety_moderation"

urlpatterns = [
    path("", moderation.queue, name="queue"),
    path("items/<int:item_id>/", moderation.item, name="item"),
    path("items/<int:item_id>/sanction/", moderation.item_sanction, name="item_sanction"),
    path("items/<int:item_id>/<slug:action>/", moderation.item_act, name="item_act"),
    path("members/<int:member_id>/", moderation.member, name="member"),
    path("members/<int:member_id>/sanction/", moderation.member_sanction, name="member_sanction"),
    path(
        "members/<int:member_id>/direct-approve/",
        moderation.member_direct_approve,
        name="member_direct_approve",
    ),
    path("sanctions/<int:sanction_id>/lift/", moderation.sanction_lift, name="sanction_lift"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        moderation.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("duty/", moderation.duty, name="duty"),
    path("duty/toggle/", moderation.duty_toggle, name="duty_toggle"),
    path("duty/rota/", moderation.rota_add, name="rota_add"),
    path("duty/rota/<int:slot_id>/remove/", moderation.rota_remove, name="rota_remove"),
    path("duty/handover/", moderation.handover_write, name="handover_write"),
    path("appeals/", appeals.moderator_appeals, name="appeals"),
    path("appeals/<int:appeal_id>/", appeals.moderator_appeal, name="appeal"),
    path("audit/", moderation.audit, name="audit"),
]
