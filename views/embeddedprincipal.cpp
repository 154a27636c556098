#include "embeddedprincipal.h"

#include "dispatcher.h"

namespace adcp::gui {

const adcp::seller::Principal &embeddedPlannerPrincipal()
{
    static const adcp::seller::Principal principal{"buyer-a", false};
    return principal;
}

} // namespace adcp::gui
