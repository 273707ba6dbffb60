{#-
    What an incremental run of the per-link, per-recipient and per-campaign marts recomputes
    (email_campaign_link_activity, email_recipient_suppressions, email_campaign_report;
    DECISIONLOG.md "Link activity, suppressions and the campaign report as incremental marts").
    Each returns keys of rows to rebuild whole from all of their events (delete+insert); for the
    per-pair fct_email_deliveries, delivery_events_ctes returns the events of such keys.
-#}

{#-
    The links (provider, account_id, campaign_id, link_key) an incremental run of
    email_campaign_link_activity recomputes: those with a click (`clicks`, rows of
    fct_email_events) classified within the lookback of the provider's newest `last_loaded_at`
    here (its `classified_loaded_at`: the newest load of its pair's events, so a click re-flagged
    by a later event of its pair, issue 16, counts as recent like a newly loaded one; never
    before its own `loaded_at`); listed links (`listed`) new here or listed with another URL;
    links listed here that the provider no longer lists; links whose provider total (`totals`)
    differs from here.
-#}
{% macro link_activity_changed_links(clicks, listed, totals) -%}
    select
        {{ email_link_key('provider', 'account_id', 'campaign_id', 'link_id', 'link_url') }} as link_key,
        provider,
        account_id,
        campaign_id
    from ({{ loaded_within_lookback_pruned(
        '(select provider, account_id, campaign_id, link_id, link_url, classified_loaded_at as loaded_at from '
        ~ clicks ~ ' as clicks)',
        'last_loaded_at'
    ) }}) as recent

    union

    select listed.link_key, listed.provider, listed.account_id, listed.campaign_id
    from {{ listed }} as listed
    left join {{ this }} as existing
        on listed.link_key = existing.link_key
    where existing.link_key is null
        or not existing.is_listed_by_provider
        or existing.link_url is distinct from listed.link_url

    union

    select existing.link_key, existing.provider, existing.account_id, existing.campaign_id
    from {{ this }} as existing
    left join {{ listed }} as listed
        on existing.link_key = listed.link_key
    left join {{ totals }} as totals
        on existing.link_key = totals.link_key
    where (existing.is_listed_by_provider and listed.link_key is null)
        or (totals.link_key is not null
            and existing.total_click_count is distinct from totals.total_click_count)
{%- endmacro %}


{#-
    The CTE `events` of fct_email_deliveries: the events of `facts` (fct_email_events) a run
    builds its pairs from, every one of a known kind (not quarantined). On a full build
    (`incremental` false) all of them; on an incremental run (`incremental` = the model's
    is_incremental()) first a CTE `changed_pairs`, the pairs (provider, account_id, campaign_id,
    recipient_key) with a known event loaded within the lookback of the provider's newest
    `last_loaded_at` here, then `events` = every known event of those pairs, from which their
    rows are rebuilt whole. Placed after `with`; the model writes the comma after it.
-#}
{% macro delivery_events_ctes(facts, incremental) -%}
{%- if incremental %}
changed_pairs as (

    -- the pairs with a known event loaded within the lookback: the facts' recent rows, read
    -- straight from the table; the earliest watermark as a plain constant prunes its row groups
    -- (macro loaded_within_lookback_pruned)
    select distinct
        provider,
        account_id,
        campaign_id,
        recipient_key

    from ({{ loaded_within_lookback_pruned(facts, 'last_loaded_at') }}) as recent
    where event_type <> 'unknown'

),

events as (

    -- every known event of a changed pair: its row is recomputed from all of them (a hash join
    -- with the changed pairs as the build side; no shared CTE over all facts, which DuckDB
    -- materialised in full before filtering, issue 15 third pass)
    {{ rows_of_changed_keys(
        "(select * from " ~ facts ~ " where event_type <> 'unknown')",
        'select * from changed_pairs',
        ['campaign_id', 'recipient_key'],
    ) }}

)
{%- else %}
events as (

    -- quarantined events (event_type `unknown`, CONTRACTS.md 14) are no kind of event a flag,
    -- time or count describes: a pair that has only those has no row
    select * from {{ facts }}
    where event_type <> 'unknown'

)
{%- endif %}
{%- endmacro %}


{#-
    The recipients (provider, account_id, recipient_key) an incremental run of
    email_recipient_suppressions recomputes: those with a qualifying event (`events`) loaded
    within the lookback of the provider's newest `last_loaded_at` here.
-#}
{% macro suppression_changed_recipients(events) -%}
    select distinct provider, account_id, recipient_key
    from ({{ loaded_within_lookback_pruned(events, 'last_loaded_at') }}) as recent
{%- endmacro %}


{#-
    The campaigns (provider, account_id, campaign_id) an incremental run of email_campaign_report
    recomputes: those with a pair of `deliveries` (fct_email_deliveries) loaded within the
    lookback of the provider's newest `last_loaded_at` here, and those whose name or message
    type in `campaigns` (dim_email_campaigns) is not the one here.
-#}
{% macro campaign_report_changed_campaigns(deliveries, campaigns) -%}
    select provider, account_id, campaign_id
    from ({{ loaded_within_lookback_pruned(
        '(select provider, account_id, campaign_id, last_loaded_at as loaded_at from ' ~ deliveries ~ ')',
        'last_loaded_at'
    ) }}) as recent

    union

    select existing.provider, existing.account_id, existing.campaign_id
    from {{ this }} as existing
    left join {{ campaigns }} as campaigns
        on existing.provider = campaigns.provider
        and existing.account_id is not distinct from campaigns.account_id
        and existing.campaign_id = campaigns.campaign_id
    where existing.campaign_name is distinct from campaigns.campaign_name
        or (campaigns.message_type is not null
            and existing.message_type is distinct from campaigns.message_type)
{%- endmacro %}


{#-
    One row per link of `clicks` (rows of fct_email_events with a URL): its key (email_link_key),
    the latest click's URL and the latest non-null title (an edited link keeps its id), distinct
    recipients, click events, first and last click, newest `loaded_at`; the distinct recipients
    and click events that no machine rule flagged (`is_bot_click` not true; null, as in rows
    without flags, is human).
-#}
{% macro link_activity_link_events(clicks) -%}
    select
        link_key,
        provider,
        account_id,
        campaign_id,
        link_id,
        max(case when url_rank = 1 then link_url end) as latest_link_url,
        max(case when title_rank = 1 then link_title end) as latest_link_title,
        count(distinct recipient_key) as unique_click_count,
        count(*) as click_event_count,
        count(distinct case when not coalesce(is_bot_click, false) then recipient_key end)
            as human_unique_click_count,
        count(case when not coalesce(is_bot_click, false) then 1 end) as human_click_event_count,
        min(occurred_at) as first_clicked_at,
        max(occurred_at) as last_clicked_at,
        max(loaded_at) as last_loaded_at
    from (
        select
            keyed.*,
            row_number() over (
                partition by link_key
                order by occurred_at desc, link_url desc
            ) as url_rank,
            row_number() over (
                partition by link_key
                order by case when link_title is null then 1 else 0 end, occurred_at desc, link_title desc
            ) as title_rank
        from (
            select
                {{ email_link_key('provider', 'account_id', 'campaign_id', 'link_id', 'link_url') }}
                    as link_key,
                provider, account_id, campaign_id, link_id, link_url, link_title, recipient_key,
                is_bot_click, occurred_at, loaded_at
            from {{ clicks }}
        ) as keyed
    ) as ranked
    group by link_key, provider, account_id, campaign_id, link_id
{%- endmacro %}


{#-
    loaded_within_lookback (macros/incremental_lookback.sql) plus, when every enabled provider
    already has a watermark here, `loaded_at >= <the earliest watermark>` as a plain constant
    conjunct: DuckDB pushes it into the scan of the fact table and skips the row groups of older
    loads (the per-provider `or` of loaded_since_condition is not pushed, so the changed keys were
    found by reading the key columns of all history). The rows are the same: every provider's
    watermark is at or after the earliest. A provider without a watermark (new here) is read in
    full, so then the constant is left out.
-#}
{% macro loaded_within_lookback_pruned(relation, this_loaded_at='loaded_at') -%}
    {%- set since = none -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set watermarks = lookback_watermarks(this_loaded_at) -%}
        {%- set missing = [] -%}
        {%- for provider in enabled_providers('email_events') -%}
            {%- if provider not in watermarks -%}{%- do missing.append(provider) -%}{%- endif -%}
        {%- endfor -%}
        {%- if watermarks and not missing -%}
            {%- set since = watermarks.values() | map('string') | min -%}
        {%- endif -%}
    {%- endif -%}
    {{ loaded_within_lookback(relation, this_loaded_at) }}
    {%- if since is not none %}
        and recent.loaded_at >= cast('{{ since }}' as {{ dbt.type_timestamp() }})
    {%- endif %}
{%- endmacro %}


{#-
    The rows of `rows_sql` (a relation or a parenthesised select, aliased all_rows here) whose
    provider, account_id and `keys` are among those of `changed_sql`'s rows: what an incremental
    model recomputes (email_campaign_link_activity: the changed links' campaigns;
    email_recipient_suppressions: the changed recipients; fct_email_deliveries: the changed
    pairs; the hourly report aggregates: the changed campaigns' pairs). A hash join with the few
    changed keys as its build side; `rows_sql` is read again rather than from one CTE, which
    DuckDB would materialise in full.
-#}
{% macro rows_of_changed_keys(rows_sql, changed_sql, keys) -%}
    select all_rows.*
    from {{ rows_sql }} as all_rows
    inner join ({{ changed_sql }}) as changed
        on all_rows.provider = changed.provider
        and all_rows.account_id is not distinct from changed.account_id
        {%- for key in keys %}
        and all_rows.{{ key }} = changed.{{ key }}
        {%- endfor %}
{%- endmacro %}
