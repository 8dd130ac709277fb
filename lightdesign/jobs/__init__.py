"""Work that needs TensorFlow, run in spawned worker processes (see ``manager``).

Importing this package does not import TensorFlow."""

from lightdesign.jobs.manager import Job, JobError, JobManager

__all__ = ["Job", "JobError", "JobManager"]
