with

splits as (

    select * from {{ source('apsis_one', 'activities__splits') }}

),

activities as (

    select * from {{ source('apsis_one', 'activities') }}

),

split_fields as (

    select
        {{ fill_staging_columns(
            source_relation=source('apsis_one', 'activities__splits'),
            expected_columns=apsis_one__activities__splits_columns(),
        ) }}
    from splits

),

joined as (

    -- dlt child table: the parent activity is found through _dlt_parent_id = _dlt_id
    select
        -- ids
        nullif(trim(activities._account_id), '') as account_id,
        nullif(trim(activities.id), '') as campaign_id,
        nullif(trim(split_fields.id), '') as split_id,

        -- strings
        nullif(trim(split_fields.name), '') as split_name,

        -- metadata
        split_fields._dlt_id as dlt_id

    from split_fields
    inner join activities
        on split_fields._dlt_parent_id = activities._dlt_id

)

select * from joined
