"""What every domain uses: config, extensions, errors, security, time, inputs, audit, queue, jobs, API base."""
