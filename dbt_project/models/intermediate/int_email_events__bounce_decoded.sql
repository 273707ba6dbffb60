{#-
    Step 3 after the union: each bounce's class and reason, and the canonical event contract
    (DESIGN.md; macro canonical_event_columns) in order. The code decodes through the seed
    email_bounce_codes; the provider's `bounce_class_rule` (seed email_providers) says whether
    the provider's own class or the code's comes first. Retries and re-read rows are still
    here, sharing an event_id: int_email_events__deduplicated collapses them, and
    fct_email_events reads this model for its incremental runs.
-#}

with

events as (

    select * from {{ ref('int_email_events__type_mapped') }}

),

bounce_codes as (

    select * from {{ ref('email_bounce_codes') }}

),

providers as (

    select * from {{ ref('email_providers') }}

),

code_matches as (

    -- the narrowest matching range wins (a specific code beats its block); equal widths fall to
    -- the lower code_from. Rows whose match has a narrower competitor are dropped, which leaves
    -- exactly one row per event without needing an event-level key.
    select
        events.*,
        matched.bounce_class as matched_bounce_class,
        matched.description as matched_bounce_description

    from events
    left join bounce_codes as matched
        on events.provider = matched.provider
        and events.bounce_code between matched.code_from and matched.code_to
    left join bounce_codes as narrower
        on matched.provider = narrower.provider
        and events.bounce_code between narrower.code_from and narrower.code_to
        and (
            narrower.code_to - narrower.code_from < matched.code_to - matched.code_from
            or (
                narrower.code_to - narrower.code_from = matched.code_to - matched.code_from
                and narrower.code_from < matched.code_from
            )
        )
    where narrower.provider is null

),

decoded as (

    select
        code_matches.*,
        -- seed email_providers.bounce_class_rule: `provider_first` (Netcore status, Benchmark
        -- emailBounceType) takes the provider's own class and decodes the code only when it
        -- gives none; `code_first` (APSIS One, Maxemail) decodes the code and falls back on the
        -- provider's class (Maxemail bounce type) for a code the seed does not know; else unknown
        case
            when code_matches.event_type = 'bounced'
                and providers.bounce_class_rule = 'provider_first'
                then coalesce(provider_bounce_class, matched_bounce_class, 'unknown')
            when code_matches.event_type = 'bounced'
                then coalesce(matched_bounce_class, provider_bounce_class, 'unknown')
        end as bounce_class,
        -- the provider's own text of this bounce when it sends one, else the seed's description
        coalesce(provider_bounce_reason, matched_bounce_description) as bounce_reason

    from code_matches
    left join providers
        on code_matches.provider = providers.provider

),

final as (

    select
        {{ canonical_event_columns() }}

    from decoded

)

select * from final
