#pragma once

#include "focushold.h"

#include <QDate>
#include <QWidget>

#include <nlohmann/json.hpp>

class QComboBox;
class QDateEdit;
class QDateTimeEdit;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QCheckBox;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace adcp::gui {

class ErrorBanner;

// The brief: what the campaign is, its budget and flight, channels, brand, and the opportunity context the
// seller may use for routing (phase, intent, planning horizon, response deadline). Builds the get_products
// request; Ctrl+Enter sends.
class BriefComposer final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BriefComposer)
public:
    explicit BriefComposer(QWidget *parent = nullptr);

    // Human-readable problems that keep the brief from being sent; empty when it can be sent.
    QStringList problems() const;
    // get_products arguments (buying_mode brief). A new opportunity id is minted per brief.
    nlohmann::json request() const;
    QString title() const;
    QString opportunityId() const;

    void setBrief(const QString &text);
    void setBudget(double amount, const QString &currency);
    void setFlight(const QDate &start, const QDate &end);
    void setChannels(const QStringList &channels);
    void setBrandDomain(const QString &domain);
    void setBusy(bool busy);
    // "+ New brief": a new opportunity (fresh id, a response deadline two days after `now`, empty name and
    // brief); budget, flight and channels stay as a starting point.
    void startNew(const QDateTime &now);
    // The heading names the agent the brief goes to.
    void setAgentName(const QString &name);

    QPushButton *sendButton() const;
    ErrorBanner *errorBanner() const;

Q_SIGNALS:
    void sendRequested();

private:
    void validate();
    // The "More channels" button's text: how many there are, how many of them are ticked.
    void updateMoreChannels();
    int tickedAmongMore() const;

    QLineEdit *m_title = nullptr;
    QPlainTextEdit *m_brief = nullptr;
    QDoubleSpinBox *m_budget = nullptr;
    QComboBox *m_currency = nullptr;
    QDateEdit *m_start = nullptr;
    QDate m_today; // the day startNew was given (the workbench's clock), for the flight's checks
    QDateEdit *m_end = nullptr;
    QList<QCheckBox *> m_channels; // one per channel, its id in the "channel" property
    QToolButton *m_moreChannels = nullptr;
    QWidget *m_moreChannelsBox = nullptr; // the less common channels, shown by m_moreChannels
    int m_moreChannelsCount = 0;
    QLineEdit *m_brand = nullptr;
    QComboBox *m_phase = nullptr;
    QComboBox *m_intent = nullptr;
    QDateEdit *m_horizonStart = nullptr;
    QDateEdit *m_horizonEnd = nullptr;
    QDateTimeEdit *m_deadline = nullptr;
    QLabel *m_problems = nullptr;
    QPushButton *m_send = nullptr;
    FocusHold m_focusHold; // Send brief goes off while the brief is out
    QLabel *m_heading = nullptr;
    ErrorBanner *m_error = nullptr;
    QString m_opportunityId;
};

} // namespace adcp::gui
