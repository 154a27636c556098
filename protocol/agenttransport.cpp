#include "agenttransport.h"

#include "requestsigner.h"

namespace adcp {

void AgentTransport::setForeignOriginHandler(ForeignOriginHandler handler)
{
    m_foreignOrigin = std::move(handler);
}

const ForeignOriginHandler &AgentTransport::foreignOriginHandler() const
{
    return m_foreignOrigin;
}

void AgentTransport::setRequestSigning(std::shared_ptr<RequestSigning> signing)
{
    m_signing = std::move(signing);
}

const std::shared_ptr<RequestSigning> &AgentTransport::requestSigning() const
{
    return m_signing;
}

} // namespace adcp
