#pragma once

#include "agenttransport.h"

#include <QUrl>

class QBoxLayout;
class QLineEdit;
class QToolBar;

namespace adcp::gui {

class AgentManager;

// The window's answer when an agent would take the bearer token to another origin: a question to the user,
// asked without blocking the event loop; closing the question answers no.
adcp::ForeignOriginHandler foreignOriginQuestion();

// Puts a warning into the agent bar that shows while the active agent is reached over plain http outside
// loopback (requests and the token travel unencrypted).
void installPlainHttpWarning(QToolBar *agentBar, AgentManager *manager);
// The same warning under an agent URL being edited, added to `layout`.
void installPlainHttpHint(QLineEdit *urlEdit, QBoxLayout *layout);

} // namespace adcp::gui
