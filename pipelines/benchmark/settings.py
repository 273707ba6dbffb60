"""Benchmark Email constants (PROVIDERS.md section 4; the official OpenAPI
`../shared/api/benchmark-email-openapi.json`; vendor doc spec/benchmark-email-view-reports.txt)."""

from __future__ import annotations

PROVIDER = "Benchmark Email"
SOURCE_NAME = "benchmark"
API_KEY_SETTING = "sources.benchmark.api_key"

CAMPAIGNS_PATH = "/api/email/campaign"
EVENTS_PATH = "/api/contact/events"
SEARCH_PATH = "/api/contact/search"

MAX_PAST_DAYS = 90  # pastDays is 1–90 on every endpoint that takes it
MAX_PAGE_SIZE = 100  # ASSUMPTION (PROVIDERS 4.4): the documented examples never exceed it
# Requests in flight at once for one listing (setting `concurrency`); requests' connection pool
# keeps 10 connections per host.
MAX_CONCURRENCY = 10
DEFAULT_PAST_DAYS = (7, 30, 90)
DEFAULT_TIMEZONE = "UTC"

# Contact event types loaded by default: the campaign events CONTRACTS 7.3 maps to canonical
# events. The contact lifecycle types (contact-created, contact-updated, ...) are not campaign
# events; add them to `event_types` to load them too.
CAMPAIGN_EVENT_TYPES = (
    "email-sent",
    "email-delivered",
    "email-opened",
    "email-clicked",
    "email-bounced",
    "email-complaint",
    "contact-unsubscribed",
    "email-delayed",
    "email-rejected",
)
ALL_EVENT_TYPES = (
    "contact-created", "contact-updated", "contact-update-failed", "contact-unsubscribed",
    "contact-reactivated", "email-sent", "email-bounced", "email-delivered", "email-delayed",
    "email-rejected", "email-complaint", "email-opened", "email-clicked", "email-skipped",
)  # fmt: skip
HISTOGRAM_EVENT_TYPES = (
    "email-sent",
    "email-delivered",
    "email-bounced",
    "first-contact-unsubscribed",
    "first-email-complaint",
    "first-email-opened",
    "first-email-clicked",
)
ENGAGEMENT_PERIODS = ("24hours", "week", "month")
# Campaigns whose reports are snapshotted (a campaign still going out has a report too).
REPORTED_STATUSES = ("sent", "sending")

# Raw `contact_events` columns (OpenAPI record fields in snake_case, as dlt would name them).
EVENT_FIELDS = {
    "contactId": "contact_id",
    "type": "type",
    "timestamp": "timestamp",
    "emailCampaignId": "email_campaign_id",
    "emailCampaignName": "email_campaign_name",
    "emailSubject": "email_subject",
    "emailSender": "email_sender",
    "emailSenderName": "email_sender_name",
    "emailTo": "email_to",
    "emailLinkId": "email_link_id",
    "emailTargetUrl": "email_target_url",
    "emailBounceType": "email_bounce_type",
    "emailBounceSubType": "email_bounce_sub_type",
    "emailBounceDiagCode": "email_bounce_diag_code",
    "emailSmtpResponse": "email_smtp_response",
    "emailDelayType": "email_delay_type",
    "emailRejectReason": "email_reject_reason",
    "emailComplaintFeedbackType": "email_complaint_feedback_type",
    "source": "source",
    "importId": "import_id",
    "importOriginalFileName": "import_original_file_name",
}
TRIGGERED_BY = {"type": "triggered_by__type", "userId": "triggered_by__user_id"}
# An event's key (CONTRACTS 7.2; the former merge key, and staging's): an event without a
# campaign or a link has '' in those two columns.
EVENT_KEY = ("contact_id", "type", "timestamp", "email_campaign_id", "email_link_id")

# Report and campaign fields holding ISO 8601 times (parsed to UTC timestamps).
TIME_FIELDS = frozenset(
    {
        "timestamp",
        "createdAt",
        "updatedAt",
        "scheduledAt",
        "cancelledAt",
        "start",
        "end",
        "date",
        "startDate",
        "endDate",
        "last",
    }
)
# Numbers that are percentages: always stored as double, even when the API sends `0`.
FLOAT_FIELDS = frozenset({"rate", "diff"})
FLOAT_PARENTS = frozenset({"rate", "rates", "deliveryTimeStats"})
