{{ stg_load_history('apsis_one') }}
