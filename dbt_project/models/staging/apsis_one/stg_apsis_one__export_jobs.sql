{{ stg_export_jobs('apsis_one') }}
