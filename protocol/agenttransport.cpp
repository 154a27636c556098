#include "agenttransport.h"

namespace adcp {

void AgentTransport::setForeignOriginHandler(ForeignOriginHandler handler)
{
    m_foreignOrigin = std::move(handler);
}

const ForeignOriginHandler &AgentTransport::foreignOriginHandler() const
{
    return m_foreignOrigin;
}

} // namespace adcp
