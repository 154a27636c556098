#pragma once

#include "adcperror.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace adcp::gui {

// An AdCP error shown inline under the action that caused it: code, field, message, suggestion and recovery
// class, with a one-click remedy where one exists (finalize and retry; reload the latest version; retry; the
// Accounts panel for an account the seller does not know or that needs setup; the seller's setup link).
class ErrorBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ErrorBanner)
public:
    enum class Remedy { None, FinalizeAndRetry, ReloadLatest, Retry, OpenAccounts, OpenSetupLink };

    explicit ErrorBanner(QWidget *parent = nullptr);

    void showError(const adcp::AdcpError &error, const QString &action);
    void clearError();
    Remedy remedy() const;
    QString code() const;
    QString text() const;
    QPushButton *remedyButton() const;
    // The setup link an ACCOUNT_SETUP_REQUIRED error carried (http(s) only); empty otherwise.
    QString setupUrl() const;

    static Remedy remedyFor(const adcp::AdcpError &error);

Q_SIGNALS:
    void remedyRequested(adcp::gui::ErrorBanner::Remedy remedy);

private:
    QLabel *m_label = nullptr;
    QPushButton *m_remedyButton = nullptr;
    QPushButton *m_closeButton = nullptr;
    Remedy m_remedy = Remedy::None;
    QString m_code;
    QString m_setupUrl;
};

} // namespace adcp::gui
