{{ stg_export_jobs('netcore') }}
