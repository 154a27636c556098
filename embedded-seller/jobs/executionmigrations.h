#pragma once

#include "storage/migrations.h"

#include <vector>

namespace adcp::seller {

// The "execution" migration module: job queue, execution state, tasks, monitoring, webhook outbox. Registered
// from monitoring/lifecycle.cpp, which every execution path links.
std::vector<storage::MigrationStep> executionMigrationSteps();

} // namespace adcp::seller
