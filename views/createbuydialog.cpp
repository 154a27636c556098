#include "createbuydialog.h"

#include "displaynames.h"
#include "jsonvalues.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace adcp::gui {

using namespace adcp::models;

CreateBuyDialog::CreateBuyDialog(const nlohmann::json &proposal, bool webhooksAvailable, const QDateTime &now,
                                 QWidget *parent)
    : QDialog(parent), m_proposal(proposal), m_now(now)
{
    setObjectName(QStringLiteral("createBuyDialog"));
    setWindowTitle(tr("Create media buy"));
    const nlohmann::json guidance = jsonObject(proposal, "total_budget_guidance");
    m_currency = jsonString(guidance, "currency");
    if (m_currency.isEmpty())
        m_currency = QStringLiteral("USD");
    m_minimum = jsonNumber(guidance, "min");
    m_maximum = jsonNumber(guidance, "max");

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("From <b>%1</b> (%2), version %3.")
                                     .arg(jsonString(proposal, "name").toHtmlEscaped(),
                                          jsonString(proposal, "proposal_id").toHtmlEscaped(),
                                          jsonString(proposal, "proposal_version").toHtmlEscaped()),
                                 this));
    auto *form = new QFormLayout;
    m_budget = new QDoubleSpinBox(this);
    m_budget->setObjectName(QStringLiteral("buyBudget"));
    m_budget->setRange(0, 1e9);
    m_budget->setDecimals(2);
    m_budget->setGroupSeparatorShown(true);
    m_budget->setSuffix(QLatin1Char(' ') + m_currency);
    m_budget->setValue(jsonNumber(guidance, "recommended", jsonNumber(guidance, "min")));
    QString hint;
    if (guidance.is_object() && !guidance.empty())
        hint = tr("guidance %1 – %2, recommended %3")
                   .arg(formatMoney(jsonNumber(guidance, "min"), m_currency),
                        formatMoney(jsonNumber(guidance, "max"), m_currency),
                        formatMoney(jsonNumber(guidance, "recommended"), m_currency));
    auto *budgetRow = new QVBoxLayout;
    budgetRow->addWidget(m_budget);
    if (!hint.isEmpty()) {
        auto *hintLabel = new QLabel(hint, this);
        hintLabel->setStyleSheet(QStringLiteral("color: #6b7280;"));
        budgetRow->addWidget(hintLabel);
    }
    form->addRow(tr("Total budget"), budgetRow);

    m_asap = new QCheckBox(tr("Start as soon as possible"), this);
    m_asap->setObjectName(QStringLiteral("buyAsap"));
    m_start = new QDateTimeEdit(now.toLocalTime().addSecs(3600), this);
    m_start->setObjectName(QStringLiteral("buyStart"));
    m_end = new QDateTimeEdit(now.toLocalTime().addDays(30), this);
    m_end->setObjectName(QStringLiteral("buyEnd"));
    for (QDateTimeEdit *edit : {m_start, m_end}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    auto *startRow = new QHBoxLayout;
    startRow->addWidget(m_start, 1);
    startRow->addWidget(m_asap);
    form->addRow(tr("Start"), startRow);
    form->addRow(tr("End"), m_end);
    m_poNumber = new QLineEdit(this);
    m_poNumber->setObjectName(QStringLiteral("buyPoNumber"));
    m_poNumber->setPlaceholderText(tr("optional"));
    form->addRow(tr("PO number"), m_poNumber);
    m_webhooks = new QCheckBox(tr("Receive status, impairment and delivery webhooks"), this);
    m_webhooks->setObjectName(QStringLiteral("buyWebhooks"));
    m_webhooks->setChecked(webhooksAvailable);
    m_webhooks->setEnabled(webhooksAvailable);
    if (!webhooksAvailable)
        m_webhooks->setToolTip(tr("No local webhook receiver is running; the buy is followed by snapshots."));
    form->addRow(QString(), m_webhooks);
    const nlohmann::json io = jsonObject(proposal, "insertion_order");
    m_ioId = jsonString(io, "io_id");
    if (!m_ioId.isEmpty()) {
        const nlohmann::json terms = jsonObject(io, "terms");
        const nlohmann::json ioBudget = jsonObject(terms, "total_budget");
        m_ioAmount = jsonString(ioBudget, "currency") == m_currency ? jsonNumber(ioBudget, "amount") : 0.0;
        m_ioAccept = new QCheckBox(
            tr("I accept insertion order %1 (%2, %3, %4)")
                .arg(m_ioId, jsonString(terms, "publisher"),
                     formatMoney(jsonNumber(ioBudget, "amount"), jsonString(ioBudget, "currency")),
                     displayName(Vocabulary::PaymentTerms, jsonString(terms, "payment_terms"))),
            this);
        m_ioAccept->setObjectName(QStringLiteral("buyIoAccept"));
        m_signatory = new QLineEdit(this);
        m_signatory->setObjectName(QStringLiteral("buyIoSignatory"));
        m_signatory->setPlaceholderText(tr("name of the person signing"));
        form->addRow(tr("Insertion order"), m_ioAccept);
        form->addRow(tr("Signatory"), m_signatory);
    }
    layout->addLayout(form);

    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("buyProblems"));
    m_problems->setStyleSheet(QStringLiteral("color: #b45309;"));
    m_problems->setWordWrap(true);
    layout->addWidget(m_problems);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create buy"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_budget, &QDoubleSpinBox::valueChanged, this, &CreateBuyDialog::validate);
    connect(m_start, &QDateTimeEdit::dateTimeChanged, this, &CreateBuyDialog::validate);
    connect(m_end, &QDateTimeEdit::dateTimeChanged, this, &CreateBuyDialog::validate);
    if (m_ioAccept) {
        connect(m_ioAccept, &QCheckBox::toggled, this, &CreateBuyDialog::validate);
        connect(m_signatory, &QLineEdit::textChanged, this, &CreateBuyDialog::validate);
    }
    connect(m_asap, &QCheckBox::toggled, this, [this](bool asap) {
        m_start->setEnabled(!asap);
        validate();
    });
    validate();
}

QStringList CreateBuyDialog::problems() const
{
    QStringList list;
    const QString status = jsonString(m_proposal, "proposal_status");
    if (status == QLatin1String("draft"))
        list << tr("The proposal is a draft: finalize it first.");
    if (m_budget->value() <= 0)
        list << tr("The budget must be above zero.");
    else if (m_minimum > 0 && m_budget->value() < m_minimum)
        list << tr("The budget is below the seller's minimum of %1.").arg(formatMoney(m_minimum, m_currency));
    const QDateTime start = m_asap->isChecked() ? m_now : m_start->dateTime();
    if (!m_asap->isChecked() && start < m_now)
        list << tr("The start is in the past; pick a later time or start as soon as possible.");
    if (m_end->dateTime() <= start)
        list << tr("The end must be after the start.");
    if (m_ioAccept && (!m_ioAccept->isChecked() || m_signatory->text().trimmed().isEmpty()))
        list << tr("Accept the insertion order and name the signatory.");
    return list;
}

nlohmann::json CreateBuyDialog::request() const
{
    nlohmann::json request = {
        {"proposal_id", m_proposal.value("proposal_id", std::string())},
        {"total_budget", {{"amount", m_budget->value()}, {"currency", m_currency.toStdString()}}},
        {"start_time", m_asap->isChecked() ? std::string("asap")
                                           : m_start->dateTime().toUTC().toString(Qt::ISODate).toStdString()},
        {"end_time", m_end->dateTime().toUTC().toString(Qt::ISODate).toStdString()}};
    if (m_proposal.contains("proposal_version"))
        request["proposal_version"] = m_proposal["proposal_version"];
    if (m_ioAccept && m_ioAccept->isChecked())
        request["io_acceptance"] = {{"io_id", m_ioId.toStdString()},
                                    {"accepted_at", m_now.toUTC().toString(Qt::ISODate).toStdString()},
                                    {"signatory", m_signatory->text().trimmed().toStdString()}};
    const QString po = m_poNumber->text().trimmed();
    if (!po.isEmpty())
        request["po_number"] = po.toStdString();
    return request;
}

bool CreateBuyDialog::webhooksWanted() const
{
    return m_webhooks->isEnabled() && m_webhooks->isChecked();
}

void CreateBuyDialog::setBudget(double amount)
{
    m_budget->setValue(amount);
}

void CreateBuyDialog::setFlight(const QDateTime &start, const QDateTime &end)
{
    m_start->setDateTime(start.toLocalTime());
    m_end->setDateTime(end.toLocalTime());
}

void CreateBuyDialog::setAsap(bool asap)
{
    m_asap->setChecked(asap);
}

void CreateBuyDialog::setPoNumber(const QString &poNumber)
{
    m_poNumber->setText(poNumber);
}

void CreateBuyDialog::prefill(const nlohmann::json &fields)
{
    if (fields.contains("total_budget"))
        setBudget(jsonAmount(fields["total_budget"]));
    if (jsonString(fields, "start_time") == QLatin1String("asap"))
        setAsap(true);
    else if (jsonDateTime(fields, "start_time").isValid())
        m_start->setDateTime(jsonDateTime(fields, "start_time").toLocalTime());
    if (jsonDateTime(fields, "end_time").isValid())
        m_end->setDateTime(jsonDateTime(fields, "end_time").toLocalTime());
    setPoNumber(jsonString(fields, "po_number"));
    // The insertion order accepted before, when it is still this proposal's.
    const nlohmann::json io = jsonObject(fields, "io_acceptance");
    if (m_ioAccept && !m_ioId.isEmpty() && jsonString(io, "io_id") == m_ioId)
        acceptInsertionOrder(jsonString(io, "signatory"));
}

bool CreateBuyDialog::requiresInsertionOrder() const
{
    return m_ioAccept != nullptr;
}

void CreateBuyDialog::acceptInsertionOrder(const QString &signatory)
{
    if (!m_ioAccept)
        return;
    m_ioAccept->setChecked(true);
    m_signatory->setText(signatory);
}

QStringList CreateBuyDialog::warnings() const
{
    // Not refused (the seller decides), but said: a budget far above what the seller can deliver for this
    // plan is most often a slip of the keyboard.
    QStringList list;
    if (m_maximum > 0 && m_budget->value() > m_maximum)
        list << tr("%1 is %2× the seller's guidance maximum of %3: the seller may not deliver it all.")
                    .arg(formatMoney(m_budget->value(), m_currency))
                    .arg(m_budget->value() / m_maximum, 0, 'f', m_budget->value() >= 10 * m_maximum ? 0 : 1)
                    .arg(formatMoney(m_maximum, m_currency));
    // The insertion order sums up what was negotiated; the person signing it should know when the buy says
    // otherwise.
    if (m_ioAmount > 0 && std::abs(m_budget->value() - m_ioAmount) >= 0.005)
        list << tr("The insertion order %1 is for %2; this buy's budget is %3.")
                    .arg(m_ioId, formatMoney(m_ioAmount, m_currency),
                         formatMoney(m_budget->value(), m_currency));
    return list;
}

void CreateBuyDialog::validate()
{
    const QStringList list = problems();
    m_problems->setText((list + warnings()).join(QLatin1Char('\n')));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(list.isEmpty());
}

} // namespace adcp::gui
