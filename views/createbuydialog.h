#pragma once

#include <QDateTime>
#include <QDialog>

#include <nlohmann/json.hpp>

class QCheckBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace adcp::gui {

// Creating a media buy from a committed proposal: budget, flight (or "as soon as possible"), PO number and
// whether to receive webhooks. Checked before anything is sent.
class CreateBuyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreateBuyDialog)
public:
    CreateBuyDialog(const nlohmann::json &proposal, bool webhooksAvailable, const QDateTime &now,
                    QWidget *parent = nullptr);

    QStringList problems() const;
    // What is allowed but probably not meant (a budget above the guidance's maximum, a budget that is not the
    // insertion order's), shown under the form.
    QStringList warnings() const;
    // The create_media_buy fields this dialog decides (proposal_id, proposal_version, total_budget,
    // start_time, end_time, po_number); the caller adds account, brand and the idempotency key.
    nlohmann::json request() const;
    bool webhooksWanted() const;

    void setBudget(double amount);
    void setFlight(const QDateTime &start, const QDateTime &end);
    void setAsap(bool asap);
    void setPoNumber(const QString &poNumber);
    // Fills the form from an earlier request (a retry).
    void prefill(const nlohmann::json &fields);
    // Guaranteed inventory comes with an insertion order the buyer must sign before buying.
    bool requiresInsertionOrder() const;
    void acceptInsertionOrder(const QString &signatory);

private:
    void validate();

    nlohmann::json m_proposal;
    QDateTime m_now;
    QString m_currency;
    double m_minimum = 0.0;
    double m_maximum = 0.0; // the guidance's, 0 when it gives none
    QDoubleSpinBox *m_budget = nullptr;
    QCheckBox *m_asap = nullptr;
    QDateTimeEdit *m_start = nullptr;
    QDateTimeEdit *m_end = nullptr;
    QLineEdit *m_poNumber = nullptr;
    QCheckBox *m_webhooks = nullptr;
    QCheckBox *m_ioAccept = nullptr;
    QLineEdit *m_signatory = nullptr;
    QString m_ioId;
    double m_ioAmount = 0.0; // the insertion order's total budget, 0 when it states none
    QLabel *m_problems = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace adcp::gui
