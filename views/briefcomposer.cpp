#include "briefcomposer.h"

#include "displaynames.h"
#include "errorbanner.h"
#include "schemaregistry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QGridLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QShortcut>
#include <QVBoxLayout>

namespace adcp::gui {

namespace {

// The channels the spec knows, read from the bundled enum so the composer can never offer a value the
// request schema would reject.
QStringList channelNames()
{
    QStringList names;
    const nlohmann::json schema =
        adcp::SchemaRegistry::bundled()->schemaDocument("/schemas/enums/channels.json");
    if (schema.is_object() && schema.contains("enum") && schema["enum"].is_array()) {
        for (const auto &value : schema["enum"])
            if (value.is_string())
                names << QString::fromStdString(value.get<std::string>());
    }
    return names;
}

QString newOpportunityId()
{
    // Opaque on purpose: the spec forbids campaign names or budgets in opportunity ids.
    const quint64 value = QRandomGenerator::global()->generate64();
    return QStringLiteral("opp-%1").arg(value, 16, 16, QLatin1Char('0'));
}

} // namespace

BriefComposer::BriefComposer(QWidget *parent) : QWidget(parent), m_opportunityId(newOpportunityId())
{
    setObjectName(QStringLiteral("briefComposer"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 12, 12, 12);

    m_heading = new QLabel(this);
    m_heading->setObjectName(QStringLiteral("detailTitle"));
    layout->addWidget(m_heading);
    setAgentName(tr("the embedded seller"));

    auto *campaign = new QGroupBox(tr("Campaign"), this);
    auto *form = new QFormLayout(campaign);
    m_title = new QLineEdit(campaign);
    m_title->setObjectName(QStringLiteral("briefTitle"));
    m_title->setPlaceholderText(tr("Shown in your opportunities list only; never sent"));
    form->addRow(tr("Name"), m_title);
    m_brief = new QPlainTextEdit(campaign);
    m_brief->setObjectName(QStringLiteral("briefText"));
    m_brief->setPlaceholderText(tr("e.g. Launch of a cold-brew coffee for urban commuters aged 25-44; video "
                                   "first, premium CTV and online video, some audio."));
    m_brief->setMinimumHeight(90);
    form->addRow(tr("Brief"), m_brief);

    auto *budgetRow = new QHBoxLayout;
    m_budget = new QDoubleSpinBox(campaign);
    m_budget->setObjectName(QStringLiteral("briefBudget"));
    m_budget->setRange(0, 1e9);
    m_budget->setDecimals(0);
    m_budget->setSingleStep(1000);
    m_budget->setGroupSeparatorShown(true);
    m_budget->setValue(50000);
    m_currency = new QComboBox(campaign);
    m_currency->setObjectName(QStringLiteral("briefCurrency"));
    m_currency->addItems({QStringLiteral("USD"), QStringLiteral("EUR"), QStringLiteral("GBP"),
                          QStringLiteral("CAD"), QStringLiteral("AUD"), QStringLiteral("JPY")});
    budgetRow->addWidget(m_budget, 1);
    budgetRow->addWidget(m_currency);
    form->addRow(tr("Budget"), budgetRow);

    auto *flightRow = new QHBoxLayout;
    const QDate today = QDate::currentDate();
    m_start = new QDateEdit(today.addDays(7), campaign);
    m_start->setObjectName(QStringLiteral("briefStart"));
    m_end = new QDateEdit(today.addDays(37), campaign);
    m_end->setObjectName(QStringLiteral("briefEnd"));
    for (QDateEdit *edit : {m_start, m_end}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    }
    flightRow->addWidget(m_start);
    flightRow->addWidget(new QLabel(QStringLiteral("→"), campaign));
    flightRow->addWidget(m_end);
    flightRow->addStretch(1);
    form->addRow(tr("Flight"), flightRow);

    // A fixed grid: ticking a channel never moves the others (a re-flowing list sent the next click elsewhere).
    auto *channelGrid = new QWidget(campaign);
    channelGrid->setObjectName(QStringLiteral("briefChannels"));
    auto *grid = new QGridLayout(channelGrid);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(2);
    const QStringList channels = channelNames();
    constexpr int kColumns = 4;
    for (int i = 0; i < channels.size(); ++i) {
        const QString &channel = channels.at(i);
        auto *box = new QCheckBox(displayName(models::Vocabulary::Channel, channel), channelGrid);
        box->setObjectName(QStringLiteral("channel-%1").arg(channel));
        box->setProperty("channel", channel);
        box->setToolTip(channel);
        grid->addWidget(box, i / kColumns, i % kColumns);
        m_channels.append(box);
    }
    form->addRow(tr("Channels"), channelGrid);

    m_brand = new QLineEdit(campaign);
    m_brand->setObjectName(QStringLiteral("briefBrand"));
    m_brand->setPlaceholderText(tr("brand domain, e.g. acme-coffee.example"));
    form->addRow(tr("Brand"), m_brand);
    layout->addWidget(campaign);

    auto *opportunity = new QGroupBox(tr("Opportunity context"), this);
    auto *oppForm = new QFormLayout(opportunity);
    m_phase = new QComboBox(opportunity);
    m_phase->setObjectName(QStringLiteral("briefPhase"));
    for (const char *phase : {"active_sourcing", "planning", "exploratory"})
        m_phase->addItem(displayName(models::Vocabulary::Phase, QLatin1String(phase)), QLatin1String(phase));
    m_intent = new QComboBox(opportunity);
    m_intent->setObjectName(QStringLiteral("briefIntent"));
    for (const char *intent : {"live_rfp", "planning", "speculative", "test"})
        m_intent->addItem(displayName(models::Vocabulary::Intent, QLatin1String(intent)), QLatin1String(intent));
    auto *phaseRow = new QHBoxLayout;
    phaseRow->addWidget(m_phase, 1);
    phaseRow->addWidget(new QLabel(tr("Intent"), opportunity));
    phaseRow->addWidget(m_intent, 1);
    oppForm->addRow(tr("Phase"), phaseRow);
    auto *horizonRow = new QHBoxLayout;
    m_horizonStart = new QDateEdit(today, opportunity);
    m_horizonEnd = new QDateEdit(today.addMonths(3), opportunity);
    for (QDateEdit *edit : {m_horizonStart, m_horizonEnd}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    }
    horizonRow->addWidget(m_horizonStart);
    horizonRow->addWidget(new QLabel(QStringLiteral("→"), opportunity));
    horizonRow->addWidget(m_horizonEnd);
    horizonRow->addStretch(1);
    oppForm->addRow(tr("Planning horizon"), horizonRow);
    m_deadline = new QDateTimeEdit(QDateTime::currentDateTime().addDays(2), opportunity);
    m_deadline->setObjectName(QStringLiteral("briefDeadline"));
    m_deadline->setCalendarPopup(true);
    m_deadline->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    oppForm->addRow(tr("Response deadline"), m_deadline);
    layout->addWidget(opportunity);

    auto *footer = new QHBoxLayout;
    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("briefProblems"));
    m_problems->setStyleSheet(QStringLiteral("color: #b45309;"));
    m_problems->setWordWrap(true);
    footer->addWidget(m_problems, 1);
    m_send = new QPushButton(tr("Send brief"), this);
    m_send->setObjectName(QStringLiteral("sendBriefButton"));
    m_send->setDefault(true);
    m_send->setToolTip(tr("Send the brief to the seller (Ctrl+Enter)"));
    footer->addWidget(m_send);
    layout->addLayout(footer);
    m_error = new ErrorBanner(this);
    layout->addWidget(m_error);
    layout->addStretch(1);

    connect(m_send, &QPushButton::clicked, this, [this] {
        if (problems().isEmpty())
            Q_EMIT sendRequested();
    });
    for (const QKeySequence &keys :
         {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, this);
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, m_send, &QPushButton::click);
    }
    connect(m_brief, &QPlainTextEdit::textChanged, this, &BriefComposer::validate);
    connect(m_budget, &QDoubleSpinBox::valueChanged, this, &BriefComposer::validate);
    connect(m_start, &QDateEdit::dateChanged, this, &BriefComposer::validate);
    connect(m_end, &QDateEdit::dateChanged, this, &BriefComposer::validate);
    connect(m_horizonStart, &QDateEdit::dateChanged, this, &BriefComposer::validate);
    connect(m_horizonEnd, &QDateEdit::dateChanged, this, &BriefComposer::validate);
    validate();
}

QStringList BriefComposer::problems() const
{
    QStringList list;
    if (m_brief->toPlainText().trimmed().isEmpty())
        list << tr("Describe the campaign in the brief.");
    if (m_budget->value() <= 0)
        list << tr("The budget must be above zero.");
    if (m_end->date() < m_start->date())
        list << tr("The flight ends before it starts.");
    if (m_start->date() < QDate::currentDate())
        list << tr("The flight starts in the past.");
    if (m_horizonEnd->date() < m_horizonStart->date())
        list << tr("The planning horizon ends before it starts.");
    return list;
}

void BriefComposer::validate()
{
    const QStringList list = problems();
    m_problems->setText(list.join(QLatin1Char(' ')));
    m_send->setEnabled(list.isEmpty());
}

nlohmann::json BriefComposer::request() const
{
    nlohmann::json channels = nlohmann::json::array();
    for (const QCheckBox *box : m_channels) {
        if (box->isChecked())
            channels.push_back(box->property("channel").toString().toStdString());
    }
    nlohmann::json filters = {
        {"start_date", m_start->date().toString(Qt::ISODate).toStdString()},
        {"end_date", m_end->date().toString(Qt::ISODate).toStdString()},
        {"budget_range",
         {{"max", m_budget->value()}, {"currency", m_currency->currentText().toStdString()}}}};
    if (!channels.empty())
        filters["channels"] = channels;
    nlohmann::json request = {
        {"buying_mode", "brief"},
        {"brief", m_brief->toPlainText().trimmed().toStdString()},
        {"filters", filters},
        {"opportunity",
         {{"opportunity_id", m_opportunityId.toStdString()},
          {"phase", m_phase->currentData().toString().toStdString()},
          {"intent", m_intent->currentData().toString().toStdString()},
          {"planning_horizon",
           {{"start", m_horizonStart->date().toString(Qt::ISODate).toStdString()},
            {"end", m_horizonEnd->date().toString(Qt::ISODate).toStdString()}}},
          {"response_deadline", m_deadline->dateTime().toUTC().toString(Qt::ISODate).toStdString()}}}};
    const QString brand = m_brand->text().trimmed();
    if (!brand.isEmpty())
        request["brand"] = {{"domain", brand.toStdString()}};
    return request;
}

QString BriefComposer::title() const
{
    const QString name = m_title->text().trimmed();
    if (!name.isEmpty())
        return name;
    const QString brief = m_brief->toPlainText().trimmed();
    return brief.size() > 28 ? brief.left(27) + QStringLiteral("…") : brief;
}

QString BriefComposer::opportunityId() const
{
    return m_opportunityId;
}

void BriefComposer::setBrief(const QString &text)
{
    m_brief->setPlainText(text);
    m_opportunityId = newOpportunityId();
}

void BriefComposer::setBudget(double amount, const QString &currency)
{
    m_budget->setValue(amount);
    m_currency->setCurrentText(currency);
}

void BriefComposer::setFlight(const QDate &start, const QDate &end)
{
    m_start->setDate(start);
    m_end->setDate(end);
}

void BriefComposer::setChannels(const QStringList &channels)
{
    for (QCheckBox *box : m_channels)
        box->setChecked(channels.contains(box->property("channel").toString()));
}

void BriefComposer::setBrandDomain(const QString &domain)
{
    m_brand->setText(domain);
}

void BriefComposer::startNew(const QDateTime &now)
{
    m_opportunityId = newOpportunityId();
    m_title->clear();
    m_brief->clear();
    m_deadline->setDateTime(now.toLocalTime().addDays(2));
    m_error->clearError();
    m_title->setFocus(Qt::OtherFocusReason);
}

void BriefComposer::setAgentName(const QString &name)
{
    m_heading->setText(tr("Write a brief to %1").arg(name));
}

void BriefComposer::setBusy(bool busy)
{
    m_send->setEnabled(!busy && problems().isEmpty());
    m_send->setText(busy ? tr("Sending…") : tr("Send brief"));
}

QPushButton *BriefComposer::sendButton() const
{
    return m_send;
}

ErrorBanner *BriefComposer::errorBanner() const
{
    return m_error;
}

} // namespace adcp::gui
