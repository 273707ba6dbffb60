with

activities as (

    {{ staging_source(
        source('apsis_one', 'activities'),
        apsis_one__activities_columns(),
    ) }}

),

split_fields as (

    {{ staging_source(
        source('apsis_one', 'activities__splits'),
        apsis_one__activities__splits_columns(),
    ) }}

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
