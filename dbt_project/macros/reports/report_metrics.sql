{#-
    The numbers of the time-bucketed report marts (CONTRACTS.md section 9; the definitions of
    sandbox/report_periods.py and sandbox/report_truth.py): rates, diffs, the events a period
    counts, and the period counts themselves.
-#}

{#-
    count / base as a percentage rounded half up to 2 decimals, computed on exact integers
    (sandbox.report_periods.rate); 0 when the base is 0. `report_rate_hundredths` is the same x 100
    as an integer (the exact value the rate diffs compare).
-#}
{% macro report_rate_hundredths(count, base) -%}
    case
        when {{ base }} > 0
            then {{ integer_divide('20000 * (' ~ count ~ ') + (' ~ base ~ ')', '2 * (' ~ base ~ ')') }}
        else 0
    end
{%- endmacro %}

{% macro report_rate(count, base) -%}
    cast(cast({{ report_rate_hundredths(count, base) }} as numeric(18, 2)) / 100 as numeric(18, 2))
{%- endmacro %}


{#-
    % change of `current` against `previous` (non-negative integers, or rates in hundredths):
    (current - previous) / previous x 100 rounded half up (away from zero) to 2 decimals; 100 when
    previous is 0 and current > 0, 0 when both are 0.
-#}
{% macro report_diff(current, previous) -%}
    {%- set change = '(' ~ current ~ ') - (' ~ previous ~ ')' -%}
    cast(
        case
            when ({{ previous }}) = 0 then case when ({{ current }}) > 0 then 100 else 0 end
            else
                sign({{ change }})
                * cast(
                    {{ integer_divide('20000 * abs(' ~ change ~ ') + (' ~ previous ~ ')', '2 * (' ~ previous ~ ')') }}
                    as numeric(18, 2)
                ) / 100
        end
        as numeric(18, 2)
    )
{%- endmacro %}


{#- A numeric with 2 decimals (rates and diffs). -#}
{% macro report_decimal(expression) -%}
    cast({{ expression }} as numeric(18, 2))
{%- endmacro %}


{#-
    The select-list columns `<rate>`, `previous_<rate>` and `<rate>_diff` of a period rate: the
    count column `numerator` (and `previous_<numerator>`) over the count column `base` (and
    `previous_<base>`) of report_period_counts; the diff compares the two rounded rates.
-#}
{% macro report_rate_columns(rate, numerator, base) -%}
        {{ report_rate(numerator, base) }} as {{ rate }},
        {{ report_rate('previous_' ~ numerator, 'previous_' ~ base) }} as previous_{{ rate }},
        {{ report_diff(
            report_rate_hundredths(numerator, base),
            report_rate_hundredths('previous_' ~ numerator, 'previous_' ~ base)
        ) }} as {{ rate }}_diff
{%- endmacro %}


{#- The select-list columns `<count>`, `previous_<count>` and `<count>_diff` of a period count. -#}
{% macro report_count_columns(count) -%}
        {{ count }},
        previous_{{ count }},
        {{ report_diff(count, 'previous_' ~ count) }} as {{ count }}_diff
{%- endmacro %}


{#- The first delivery of a pair of fct_email_deliveries (a derived one is at the first send). -#}
{% macro report_first_delivered_at() -%}
    coalesce(first_delivered_at, case when was_delivered then first_sent_at end)
{%- endmacro %}


{#-
    One row per (campaign, recipient) pair and event kind it ever had: `event_type` (the histogram
    names: email-sent, email-delivered, email-bounced, first-contact-unsubscribed,
    first-email-complaint, first-email-opened, first-email-clicked; and first-human-opened,
    first-human-clicked: the pair's first open / click not flagged as a machine's, issue 16, never
    a histogram type), `event_at` = the pair's FIRST event of that kind (a second open never
    counts again) and the pair's `bounce_class`.
    `only` limits the event types; `with_loaded_at` adds the pair's `last_loaded_at`.
-#}
{% macro report_first_events(deliveries, only=none, with_loaded_at=false) -%}
    {%- set kinds = [
        ('email-sent', 'first_sent_at'),
        ('email-delivered', report_first_delivered_at()),
        ('email-bounced', 'first_bounced_at'),
        ('first-contact-unsubscribed', 'first_unsubscribed_at'),
        ('first-email-complaint', 'first_complained_at'),
        ('first-email-opened', 'first_opened_at'),
        ('first-email-clicked', 'first_clicked_at'),
        ('first-human-opened', 'first_human_opened_at'),
        ('first-human-clicked', 'first_human_clicked_at'),
    ] -%}
    {%- set selected = [] -%}
    {%- for kind in kinds if only is none or kind[0] in only -%}{%- do selected.append(kind) -%}{%- endfor -%}
    {%- for event_type, column in selected %}
    select
        provider,
        account_id,
        campaign_id,
        recipient_key,
        '{{ event_type }}' as event_type,
        cast({{ column }} as {{ dbt.type_timestamp() }}) as event_at,
        bounce_class{{ ',' if with_loaded_at }}
        {%- if with_loaded_at %}
        last_loaded_at
        {%- endif %}
    from {{ deliveries }}
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#-
    The histogram events of the types the OpenAPI does not name `first-…`, every one of them:
    `email-sent` every sent event, `email-delivered` every delivered event (and, for a provider
    whose delivered_rule is `sent_not_bounced`, its one derived delivery per delivered pair at the
    first send), `email-bounced` every bounce of class hard (`hard`) or soft, block, unknown
    (`soft`; informational bounces are none). Columns as report_first_events. `events` is
    fct_email_events, `providers` the seed email_providers; `since` (SQL) prunes older events.
-#}
{% macro report_every_events(events, deliveries, providers, since) -%}
    select
        events.provider,
        events.account_id,
        events.campaign_id,
        events.recipient_key,
        case events.event_type
            when 'sent' then 'email-sent'
            when 'delivered' then 'email-delivered'
            else 'email-bounced'
        end as event_type,
        cast(events.occurred_at as {{ dbt.type_timestamp() }}) as event_at,
        case
            when events.event_type <> 'bounced' then null
            when events.bounce_class = 'hard' then 'hard'
            else 'soft'
        end as bounce_class
    from {{ events }} as events
    where events.occurred_at >= {{ since }}
        and (
            events.event_type in ('sent', 'delivered')
            or (events.event_type = 'bounced' and events.bounce_class in ('hard', 'soft', 'block', 'unknown'))
        )

    union all

    select
        deliveries.provider,
        deliveries.account_id,
        deliveries.campaign_id,
        deliveries.recipient_key,
        'email-delivered' as event_type,
        cast(deliveries.first_delivered_at as {{ dbt.type_timestamp() }}) as event_at,
        cast(null as {{ dbt.type_string() }}) as bounce_class
    from {{ deliveries }} as deliveries
    inner join {{ providers }} as providers
        on deliveries.provider = providers.provider
    where providers.delivered_rule = 'sent_not_bounced'
        and deliveries.was_delivered
        and deliveries.first_delivered_at >= {{ since }}
{%- endmacro %}


{#-
    One row per provider, account_id (every account with a pair in `deliveries`) and past_days
    (1..90): the pairs whose first event of each kind falls in the period (`<kind>_count`) and in
    the previous period (`previous_<kind>_count`). Kinds: sent, delivered, unique_open,
    unique_click, bounce (hard + soft), hard_bounce, soft_bounce, complaint, unsubscribe,
    human_unique_open, human_unique_click (the pair's first human open / click, issue 16).
    Also the numerators of the period rates, bounded by 100 (sandbox.report_truth.cohort_counts):
    `delivered_open_count` / `delivered_click_count` = the pairs first delivered in the period
    that were first opened / clicked before its end, `delivered_human_open_count` /
    `delivered_human_click_count` those first opened / clicked by a human before it;
    `sent_bounce_count`, `sent_hard_bounce_count`, `sent_soft_bounce_count` = the pairs first
    sent in the period that first bounced before its end (by the pair's class); and their
    `previous_` twins.
    With `periods` (a relation with provider, account_id, past_days, as_of, period_start,
    period_end, previous_start and the `period_keys` columns), one row per given period instead,
    e.g. at the time a provider took a report snapshot.
-#}
{% macro report_period_counts(deliveries, periods=none, period_keys=[]) -%}
    {%- set kinds = [
        ('sent', "event_type = 'email-sent'"),
        ('delivered', "event_type = 'email-delivered'"),
        ('unique_open', "event_type = 'first-email-opened'"),
        ('unique_click', "event_type = 'first-email-clicked'"),
        ('bounce', "event_type = 'email-bounced' and bounce_class in ('hard', 'soft')"),
        ('hard_bounce', "event_type = 'email-bounced' and bounce_class = 'hard'"),
        ('soft_bounce', "event_type = 'email-bounced' and bounce_class = 'soft'"),
        ('complaint', "event_type = 'first-email-complaint'"),
        ('unsubscribe', "event_type = 'first-contact-unsubscribed'"),
        ('human_unique_open', "event_type = 'first-human-opened'"),
        ('human_unique_click', "event_type = 'first-human-clicked'"),
    ] -%}
    {%- set cohorts = [
        ('delivered_open', 'delivered_at', "pairs.first_opened_at < {end}"),
        ('delivered_click', 'delivered_at', "pairs.first_clicked_at < {end}"),
        ('delivered_human_open', 'delivered_at', "pairs.first_human_opened_at < {end}"),
        ('delivered_human_click', 'delivered_at', "pairs.first_human_clicked_at < {end}"),
        ('sent_bounce', 'first_sent_at', "pairs.first_bounced_at < {end} and pairs.bounce_class in ('hard', 'soft')"),
        ('sent_hard_bounce', 'first_sent_at', "pairs.first_bounced_at < {end} and pairs.bounce_class = 'hard'"),
        ('sent_soft_bounce', 'first_sent_at', "pairs.first_bounced_at < {end} and pairs.bounce_class = 'soft'"),
    ] -%}
    {%- set columns = period_keys + ['provider', 'account_id', 'past_days', 'as_of', 'period_start', 'period_end', 'previous_start'] -%}
    select
        counted.*,
        {%- for name, cohort_time, condition in cohorts %}
        cohorts.{{ name }}_count,
        cohorts.previous_{{ name }}_count{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            {%- for column in columns %}
            periods.{{ column }},
            {%- endfor %}
            {%- for kind, condition in kinds %}
            count(case when events.{{ condition }} and events.event_at >= periods.period_start then 1 end) as {{ kind }}_count,
            count(case when events.{{ condition }} and events.event_at < periods.period_start then 1 end) as previous_{{ kind }}_count{{ ',' if not loop.last }}
            {%- endfor %}
        from ({{ _report_period_rows(deliveries, periods) }}) as periods
        left join ({{ report_first_events(deliveries) }}) as events
            on events.provider = periods.provider
            and events.account_id is not distinct from periods.account_id
            and events.event_at >= periods.previous_start
            and events.event_at < periods.period_end
        group by
            {%- for column in columns %}
            periods.{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
    ) as counted
    inner join (
        select
            {%- for column in period_keys + ['provider', 'account_id', 'past_days'] %}
            periods.{{ column }},
            {%- endfor %}
            {%- for name, cohort_time, condition in cohorts %}
            count(case
                when pairs.{{ cohort_time }} >= periods.period_start
                    and {{ condition.replace('{end}', 'periods.period_end') }}
                    then 1
            end) as {{ name }}_count,
            count(case
                when pairs.{{ cohort_time }} < periods.period_start
                    and {{ condition.replace('{end}', 'periods.period_start') }}
                    then 1
            end) as previous_{{ name }}_count{{ ',' if not loop.last }}
            {%- endfor %}
        from ({{ _report_period_rows(deliveries, periods) }}) as periods
        left join (
            select
                *,
                {{ report_first_delivered_at() }} as delivered_at
            from {{ deliveries }}
        ) as pairs
            on pairs.provider = periods.provider
            and pairs.account_id is not distinct from periods.account_id
            and (
                (pairs.delivered_at >= periods.previous_start and pairs.delivered_at < periods.period_end)
                or (pairs.first_sent_at >= periods.previous_start and pairs.first_sent_at < periods.period_end)
            )
        group by
            {%- for column in period_keys + ['provider', 'account_id', 'past_days'] %}
            periods.{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
    ) as cohorts
        {%- for column in period_keys + ['provider', 'account_id', 'past_days'] %}
        {{ 'on' if loop.first else 'and' }} cohorts.{{ column }} is not distinct from counted.{{ column }}
        {%- endfor %}
{%- endmacro %}


{#- The periods report_period_counts counts: the given relation, else every account x past_days. -#}
{% macro _report_period_rows(deliveries, periods) -%}
    {%- if periods %}
    select * from {{ periods }}
    {%- else %}
    select
        accounts.provider,
        accounts.account_id,
        report_periods.*
    from (select distinct provider, account_id from {{ deliveries }}) as accounts
    cross join ({{ report_periods() }}) as report_periods
    {%- endif %}
{%- endmacro %}
