"""Running procopt at scale: time estimates before long runs, logs larger than memory."""
