#pragma once

#include "agenttransport.h"

#include <QString>
#include <QUrl>

#include <nlohmann/json.hpp>

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

// One line on what an agent's get_adcp_capabilities says about RFC 9421 request signing and what that means
// for a profile with the signing key `keyId` (empty: none): whether the agent verifies signatures, its
// content-digest posture, the operations it refuses unsigned, and whether this profile's calls will be
// signed. Any member of the wrong type reads as not stated.
QString requestSigningSummary(const nlohmann::json &capabilities, const QString &keyId);

} // namespace adcp::gui
