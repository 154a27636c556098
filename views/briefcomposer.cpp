#include "briefcomposer.h"

#include "displaynames.h"
#include "errorbanner.h"
#include "schemaregistry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

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

// A vertical scroller as wide as the form it holds needs: the splitter never squeezes the fields, and a short
// window scrolls the form instead of clipping it.
class FormScroll final : public QScrollArea
{
public:
    using QScrollArea::QScrollArea;
    QSize minimumSizeHint() const override
    {
        QSize size = QScrollArea::minimumSizeHint();
        if (widget())
            size.setWidth(widget()->minimumSizeHint().width() + verticalScrollBar()->sizeHint().width() +
                          2 * frameWidth());
        return size;
    }
};

} // namespace

BriefComposer::BriefComposer(QWidget *parent) : QWidget(parent), m_opportunityId(newOpportunityId())
{
    setObjectName(QStringLiteral("briefComposer"));
    // The form scrolls when the window is short; Send and the error banner below it stay in sight.
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);
    auto *scroll = new FormScroll(this);
    scroll->setObjectName(QStringLiteral("briefScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    // A pane narrower than the form (a small window) scrolls sideways rather than cut the fields.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    auto *form = new QWidget(scroll);
    auto *layout = new QVBoxLayout(form);
    layout->setContentsMargins(10, 10, 6, 6);
    scroll->setWidget(form);
    outer->addWidget(scroll, 1);

    m_heading = new QLabel(this);
    m_heading->setObjectName(QStringLiteral("detailTitle"));
    m_heading->setWordWrap(true); // a long agent name wraps instead of widening the pane
    layout->addWidget(m_heading);
    setAgentName(tr("the embedded seller"));

    auto *campaign = new QGroupBox(tr("Campaign"), this);
    auto *fields = new QFormLayout(campaign);
    m_title = new QLineEdit(campaign);
    m_title->setObjectName(QStringLiteral("briefTitle"));
    m_title->setPlaceholderText(tr("Shown in your opportunities list only; never sent"));
    fields->addRow(tr("Name"), m_title);
    m_brief = new QPlainTextEdit(campaign);
    m_brief->setObjectName(QStringLiteral("briefText"));
    // A form field: Tab moves on to the next field (a brief has no use for tab characters).
    m_brief->setTabChangesFocus(true);
    m_brief->setPlaceholderText(tr("e.g. Launch of a cold-brew coffee for urban commuters aged 25-44; video "
                                   "first, premium CTV and online video, some audio."));
    // Six lines, scrolling inside beyond that: the form below stays where it is.
    m_brief->setFixedHeight(m_brief->fontMetrics().lineSpacing() * 6 + 2 * m_brief->frameWidth() + 8);
    fields->addRow(tr("Brief"), m_brief);

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
    fields->addRow(tr("Budget"), budgetRow);

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
    fields->addRow(tr("Flight"), flightRow);

    // A fixed grid of two columns, wide enough for the channels' names: ticking a channel never moves the
    // others (a re-flowing list sent the next click elsewhere). The first eight are always shown; the rest
    // open below them with "More channels", which moves nothing above it.
    auto *channelGrid = new QWidget(campaign);
    channelGrid->setObjectName(QStringLiteral("briefChannels"));
    auto *channelsLayout = new QVBoxLayout(channelGrid);
    channelsLayout->setContentsMargins(0, 0, 0, 0);
    channelsLayout->setSpacing(2);
    auto *common = new QGridLayout;
    auto *moreBox = new QWidget(channelGrid);
    moreBox->setObjectName(QStringLiteral("briefMoreChannels"));
    auto *more = new QGridLayout(moreBox);
    for (QGridLayout *grid : {common, more}) {
        grid->setContentsMargins(0, 0, 0, 0);
        grid->setHorizontalSpacing(12);
        grid->setVerticalSpacing(2);
        grid->setColumnStretch(0, 1);
        grid->setColumnStretch(1, 1);
    }
    const QStringList channels = channelNames();
    constexpr int kColumns = 2;
    constexpr int kAlwaysShown = 8;
    for (int i = 0; i < channels.size(); ++i) {
        const QString &channel = channels.at(i);
        const QString name = displayName(models::Vocabulary::Channel, channel);
        auto *box = new QCheckBox(name, i < kAlwaysShown ? channelGrid : moreBox);
        box->setObjectName(QStringLiteral("channel-%1").arg(channel));
        box->setProperty("channel", channel);
        box->setToolTip(name);
        // A long name may be cut where the pane is narrow (the tooltip has it whole) rather than widen it.
        box->setMinimumWidth(std::min(box->sizeHint().width(), 96));
        const int at = i < kAlwaysShown ? i : i - kAlwaysShown;
        (i < kAlwaysShown ? common : more)->addWidget(box, at / kColumns, at % kColumns);
        m_channels.append(box);
        connect(box, &QCheckBox::toggled, this, &BriefComposer::updateMoreChannels);
    }
    channelsLayout->addLayout(common);
    m_moreChannels = new QToolButton(channelGrid);
    m_moreChannels->setObjectName(QStringLiteral("moreChannelsButton"));
    m_moreChannels->setCheckable(true);
    m_moreChannels->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_moreChannels->setAutoRaise(true);
    m_moreChannelsBox = moreBox;
    m_moreChannelsCount = int(std::max<qsizetype>(0, channels.size() - kAlwaysShown));
    m_moreChannels->setVisible(m_moreChannelsCount > 0);
    channelsLayout->addWidget(m_moreChannels, 0, Qt::AlignLeft);
    channelsLayout->addWidget(moreBox);
    moreBox->setVisible(false);
    connect(m_moreChannels, &QToolButton::toggled, this, [this](bool open) {
        m_moreChannelsBox->setVisible(open);
        updateMoreChannels();
    });
    updateMoreChannels();
    fields->addRow(tr("Channels"), channelGrid);

    m_brand = new QLineEdit(campaign);
    m_brand->setObjectName(QStringLiteral("briefBrand"));
    m_brand->setPlaceholderText(tr("brand domain, e.g. acme-coffee.example"));
    fields->addRow(tr("Brand"), m_brand);
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
    // One row each: side by side they made the composer wider than its pane at 1440 px.
    oppForm->addRow(tr("Phase"), m_phase);
    oppForm->addRow(tr("Intent"), m_intent);
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
    layout->addStretch(1);
    footer->setContentsMargins(12, 6, 12, 6);
    outer->addLayout(footer);
    m_error = new ErrorBanner(this);
    outer->addWidget(m_error);

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
    if (m_start->date() < (m_today.isValid() ? m_today : QDate::currentDate()))
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
    // A channel ticked among the less common ones is shown, not hidden behind "More channels".
    if (!m_moreChannels->isChecked() && tickedAmongMore() > 0)
        m_moreChannels->setChecked(true);
}

int BriefComposer::tickedAmongMore() const
{
    int ticked = 0;
    for (const QCheckBox *box : m_channels)
        ticked += box->parentWidget() == m_moreChannelsBox && box->isChecked() ? 1 : 0;
    return ticked;
}

void BriefComposer::updateMoreChannels()
{
    if (!m_moreChannels)
        return;
    const bool open = m_moreChannels->isChecked();
    m_moreChannels->setArrowType(open ? Qt::UpArrow : Qt::DownArrow);
    const int ticked = tickedAmongMore();
    if (open)
        m_moreChannels->setText(tr("Fewer channels"));
    else if (ticked > 0)
        m_moreChannels->setText(tr("More channels (%1, %2 ticked)").arg(m_moreChannelsCount).arg(ticked));
    else
        m_moreChannels->setText(tr("More channels (%1)").arg(m_moreChannelsCount));
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
    // A new planning cycle names its own channels (the last brief's stayed ticked); budget and brand stay.
    setChannels({});
    m_deadline->setDateTime(now.toLocalTime().addDays(2));
    // The flight and the horizon start from the same clock as the deadline (the seller's, for the embedded
    // seller: a trainer's clock days ahead would otherwise leave them in the seller's past).
    m_today = now.toLocalTime().date();
    m_start->setDate(m_today.addDays(7));
    m_end->setDate(m_today.addDays(37));
    m_horizonStart->setDate(m_today);
    m_horizonEnd->setDate(m_today.addMonths(3));
    m_error->clearError();
    m_title->setFocus(Qt::OtherFocusReason);
}

void BriefComposer::setAgentName(const QString &name)
{
    m_heading->setText(tr("Write a brief to %1").arg(name));
}

void BriefComposer::setBusy(bool busy)
{
    if (busy)
        m_focusHold.enter(this);
    m_send->setEnabled(!busy && problems().isEmpty());
    m_send->setText(busy ? tr("Sending…") : tr("Send brief"));
    if (!busy)
        m_focusHold.leave(this);
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
