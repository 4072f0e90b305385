"""The schedule, in the database: tables, the post state machine, queries and spec sync.

The database *is* the schedule: a post goes out because its row is due and a dispatcher wins the
conditional UPDATE that claims it, never because a message sits in a broker with an ETA.
"""

# The publishing pipeline's tables live in their own module; importing it here registers them on
# SQLModel.metadata wherever the schedule's tables are (migrations, schema comparison).
from campaigns.store import metrics_models as _metrics_models  # noqa: F401
from campaigns.store import pipeline_models as _pipeline_models  # noqa: F401
from campaigns.store import report_models as _report_models  # noqa: F401
from campaigns.store import web_models as _web_models  # noqa: F401
