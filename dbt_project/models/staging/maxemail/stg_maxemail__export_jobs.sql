{{ stg_export_jobs('maxemail') }}
