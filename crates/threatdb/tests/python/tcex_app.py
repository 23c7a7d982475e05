"""A TcEx instance as a tcex app gets one, from the environment the tests set: the API root and an
API user's credentials (THREATDB_API, THREATDB_ACCESS_ID, THREATDB_SECRET_KEY, THREATDB_OWNER),
with its logs and files in a fresh temporary directory."""

import os
import tempfile

from tcex import TcEx


def tcex_from_env() -> TcEx:
    work = tempfile.mkdtemp(prefix='tcex-')
    return TcEx(
        config={
            'tc_api_path': os.environ['THREATDB_API'],
            'tc_api_access_id': os.environ['THREATDB_ACCESS_ID'],
            'tc_api_secret_key': os.environ['THREATDB_SECRET_KEY'],
            'tc_owner': os.environ['THREATDB_OWNER'],
            'tc_log_path': work,
            'tc_temp_path': work,
            'tc_out_path': work,
            'tc_in_path': work,
            'tc_verify': False,
            'tc_log_level': 'debug',
        }
    )
