"""Settings of the benchmark's server: the app's own settings (run with DEBUG off and PRODUCTION on, see
bench/run.py), plus the bare-Django floor views when KARTOTEKA_BENCH_FLOORS=true. Production never loads this
module, so the floor routes can never exist there."""

from kartoteka.core.env import env_bool
from kartoteka.settings import *  # noqa: F403
from kartoteka.settings import ALLOWED_HOSTS

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1", "testserver"]
if env_bool("KARTOTEKA_BENCH_FLOORS", False):
    ROOT_URLCONF = "bench.urls"
