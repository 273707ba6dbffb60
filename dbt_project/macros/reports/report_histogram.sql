{#-
    Parts of email_histogram (CONTRACTS.md 9), kept here so the model stays short and the
    histogram's inputs are one macro per alignment.
-#}

{#- The seven histogram types in the OpenAPI's order (`event_type`, `event_type_order`). -#}
{% macro report_histogram_event_types() -%}
    select * from (
        values
            ('email-sent', 1),
            ('email-delivered', 2),
            ('email-bounced', 3),
            ('first-contact-unsubscribed', 4),
            ('first-email-complaint', 5),
            ('first-email-opened', 6),
            ('first-email-clicked', 7)
    ) as event_types (event_type, event_type_order)
{%- endmacro %}


{#-
    The histogram's accounts: those of the hourly aggregate (calendar periods) or of
    `deliveries` (fct_email_deliveries, rolling periods).
-#}
{% macro report_histogram_accounts(deliveries) -%}
    {%- if report_period_alignment() == 'calendar' %}
    select distinct provider, account_id from {{ ref('int_email_report_first_events__hourly') }}
    where event_type = 'any-pair'
    {%- else %}
    select distinct provider, account_id from {{ deliveries }}
    {%- endif %}
{%- endmacro %}


{#-
    The histogram's events (provider, account_id, event_type, event_at, bounce_class,
    event_count) since the earliest period start of `periods`: for calendar periods the hourly
    aggregates (DECISIONLOG.md "Report marts from hourly per-campaign aggregates"; `event_at` an
    hour start standing for the times in it), for rolling periods the pairs' first events and
    every event of fct_email_events (`events`, `deliveries`; one row each). `providers` is the
    seed email_providers.
-#}
{% macro report_histogram_events(events, deliveries, providers, periods) -%}
    {%- set since = '(select min(period_start) from ' ~ periods ~ ')' -%}
    {%- if report_period_alignment() == 'calendar' %}
    {{ report_histogram_events_hourly(
        ref('int_email_report_first_events__hourly'), ref('int_email_report_every_events__hourly'),
        providers, since
    ) }}
    {%- else %}
    select provider, account_id, event_type, event_at, bounce_class, 1 as event_count
    from (
        {{ report_first_events(
            deliveries,
            only=['first-contact-unsubscribed', 'first-email-complaint', 'first-email-opened', 'first-email-clicked'],
        ) }}

        union all

        {{ report_every_events(events, deliveries, providers, since) }}
    ) as pairs
    {%- endif %}
{%- endmacro %}
