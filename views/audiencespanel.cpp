#include "audiencespanel.h"

#include "accountmodel.h"
#include "buymodel.h"
#include "displaynames.h"
#include "errorbanner.h"
#include "jsonvalues.h"
#include "workbench.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

namespace {

QString memberHash(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

// The audience id a name suggests: lower case, runs of anything else as one dash.
QString audienceIdFromName(const QString &name)
{
    static const QRegularExpression others(QStringLiteral("[^a-z0-9]+"));
    QString id = name.toLower().replace(others, QStringLiteral("-"));
    while (id.startsWith(QLatin1Char('-')))
        id.remove(0, 1);
    while (id.endsWith(QLatin1Char('-')))
        id.chop(1);
    return id.left(64);
}

QString matchRateText(double rate)
{
    return userLocale().toString(rate * 100.0, 'f', 1) + QLatin1Char('%');
}

// An audience's matching status in words (the shared status vocabulary reads "ready" as a proposal's).
QString audienceStatusLabel(const QString &status)
{
    if (status == QLatin1String("processing"))
        return QObject::tr("Matching");
    if (status == QLatin1String("ready"))
        return QObject::tr("Ready");
    if (status == QLatin1String("too_small"))
        return QObject::tr("Too small");
    if (status == QLatin1String("suspended"))
        return QObject::tr("Suspended");
    return displayName(Vocabulary::Status, status);
}

const char *const kOfferedEventTypes[] = {
    "purchase",   "add_to_cart", "initiate_checkout", "lead",         "complete_registration",
    "subscribe",  "app_install", "page_view",         "view_content", "search",
    "start_trial"};

} // namespace

AudienceMembers audienceMembersFromText(const QString &text)
{
    static const QRegularExpression email(QStringLiteral("^[^@\\s,;]+@[^@\\s,;]+\\.[^@\\s,;]+$"));
    static const QRegularExpression phoneNoise(QStringLiteral("[\\s().-]"));
    static const QRegularExpression e164(QStringLiteral("^\\+[1-9][0-9]{6,14}$"));
    AudienceMembers out;
    const QStringList lines = text.split(QLatin1Char('\n'));
    static const QRegularExpression header(QStringLiteral("^[A-Za-z _;,\t-]+$"));
    for (int i = 0; i < lines.size(); ++i) {
        QString line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        // A CSV export's header ("email", "id,email,phone") is not a member and not a mistake either.
        if (out.members.empty() && out.skippedCount == 0 && header.match(line).hasMatch() &&
            !line.contains(QLatin1Char('@')))
            continue;
        QString recordId;
        const int comma = line.indexOf(QRegularExpression(QStringLiteral("[,;\\t]")));
        if (comma > 0) {
            recordId = line.left(comma).trimmed();
            line = line.mid(comma + 1).trimmed();
        }
        json member = json::object();
        QString hash;
        if (email.match(line).hasMatch()) {
            hash = memberHash(line.toLower());
            member["hashed_email"] = hash.toStdString();
            ++out.emails;
        } else if (const QString phone = QString(line).remove(phoneNoise); e164.match(phone).hasMatch()) {
            hash = memberHash(phone);
            member["hashed_phone"] = hash.toStdString();
            ++out.phones;
        } else {
            if (out.skipped.size() < 20)
                out.skipped << QObject::tr("line %1: “%2” is neither an email address nor a phone number in "
                                           "international form (+…)")
                                   .arg(i + 1)
                                   .arg(line.left(40));
            ++out.skippedCount;
            continue;
        }
        member["external_id"] =
            (recordId.isEmpty() ? QStringLiteral("m-") + hash.left(16) : recordId).toStdString();
        out.members.push_back(std::move(member));
    }
    return out;
}

// ---- AudienceDialog ----

AudienceDialog::AudienceDialog(const json &existing, QWidget *parent, const QStringList &existingIds)
    : QDialog(parent), m_new(existing.is_null()), m_existingIds(existingIds)
{
    setObjectName(QStringLiteral("audienceDialog"));
    setWindowTitle(m_new ? tr("New audience") : tr("Add members to %1").arg(jsonString(existing, "name")));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("audienceName"));
    m_name->setPlaceholderText(tr("e.g. Loyal customers, last 90 days"));
    m_id = new QLineEdit(this);
    m_id->setObjectName(QStringLiteral("audienceId"));
    m_id->setPlaceholderText(tr("made from the name"));
    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("audienceType"));
    m_type->addItem(tr("Target these people (CRM list)"), QStringLiteral("crm"));
    m_type->addItem(tr("Exclude these people (suppression list)"), QStringLiteral("suppression"));
    m_type->addItem(tr("Seed for look-alikes"), QStringLiteral("lookalike_seed"));
    m_consent = new QComboBox(this);
    m_consent->setObjectName(QStringLiteral("audienceConsent"));
    m_consent->addItem(tr("Not stated"), QString());
    m_consent->addItem(tr("Consent"), QStringLiteral("consent"));
    m_consent->addItem(tr("Legitimate interest"), QStringLiteral("legitimate_interest"));
    m_consent->addItem(tr("Contract"), QStringLiteral("contract"));
    m_consent->addItem(tr("Legal obligation"), QStringLiteral("legal_obligation"));
    if (m_new) {
        form->addRow(tr("&Name:"), m_name);
        form->addRow(tr("&Id:"), m_id);
        form->addRow(tr("&Use:"), m_type);
        form->addRow(tr("Lawful &basis:"), m_consent);
    } else {
        m_name->setText(jsonString(existing, "name"));
        m_id->setText(jsonString(existing, "audience_id"));
        m_name->hide();
        m_id->hide();
        m_type->hide();
        m_consent->hide();
        auto *which =
            new QLabel(tr("%1 (%2): %3 matched members now")
                           .arg(jsonString(existing, "name"), jsonString(existing, "audience_id"))
                           .arg(userLocale().toString(qint64(jsonNumber(existing, "matched_count")))),
                       this);
        which->setWordWrap(true);
        form->addRow(which);
    }
    layout->addLayout(form);
    auto *hint =
        new QLabel(tr("Members, one per line: an email address or a phone number in international form "
                      "(+44 20 7946 0958), optionally after your own record id and a comma. They are "
                      "normalized and SHA-256 hashed here; only the hashes are sent."),
                   this);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    m_members = new QPlainTextEdit(this);
    m_members->setObjectName(QStringLiteral("audienceMembers"));
    m_members->setTabChangesFocus(
        true); // Tab goes on to the buttons; members are separated by lines or commas
    m_members->setPlaceholderText(QStringLiteral("crm-1001, ann.lee@example.com\n+1 206 555 0100"));
    m_members->setMinimumSize(460, 200);
    layout->addWidget(m_members, 1);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("audienceSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Room for the count and three skipped lines from the start: the dialog never has to grow under the list.
    m_summary->setMinimumHeight(m_summary->fontMetrics().lineSpacing() * 5);
    m_summary->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(m_summary);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(m_new ? tr("Create audience") : tr("Add members"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // Counting a pasted list of thousands waits for the typing to pause.
    m_recount = new QTimer(this);
    m_recount->setSingleShot(true);
    m_recount->setInterval(250);
    connect(m_recount, &QTimer::timeout, this, &AudienceDialog::recount);
    connect(m_members, &QPlainTextEdit::textChanged, m_recount, qOverload<>(&QTimer::start));
    connect(m_name, &QLineEdit::textChanged, this, [this](const QString &name) {
        if (m_new && !m_idEdited)
            m_id->setText(audienceIdFromName(name));
        recount();
    });
    connect(m_id, &QLineEdit::textEdited, this, [this] {
        m_idEdited = true;
        recount();
    });
    recount();
}

void AudienceDialog::recount()
{
    m_recount->stop();
    m_parsed = audienceMembersFromText(m_members->toPlainText());
    const int ready = int(m_parsed.members.size());
    QString text = ready == 1 ? tr("1 member ready") : tr("%1 members ready").arg(ready);
    if (!m_parsed.members.empty())
        text += QStringLiteral(" (%1, %2)")
                    .arg(m_parsed.emails == 1 ? tr("1 email") : tr("%1 emails").arg(m_parsed.emails),
                         m_parsed.phones == 1 ? tr("1 phone") : tr("%1 phones").arg(m_parsed.phones));
    if (m_parsed.skippedCount > 0)
        text += QLatin1String("; ") +
                (m_parsed.skippedCount == 1 ? tr("1 line skipped")
                                            : tr("%1 lines skipped").arg(m_parsed.skippedCount)) +
                QLatin1String(":\n") + m_parsed.skipped.mid(0, 3).join(QLatin1Char('\n'));
    const QString id = m_id->text().trimmed();
    const bool taken = m_new && m_existingIds.contains(id);
    if (taken)
        text =
            tr("An audience with the id “%1” exists already: pick another name or id, or select it and use "
               "Add members….")
                .arg(id);
    else if (ready > 0 && ready < 100 && m_new)
        text += QLatin1Char('\n') + tr("Sellers need enough matched members to target an audience (this one: "
                                       "100); you can add more later.");
    m_summary->setText(text);
    m_ok->setEnabled(!id.isEmpty() && !taken && !m_parsed.members.empty());
}

json AudienceDialog::audience() const
{
    // The dialog may be accepted before the debounced count ran.
    const AudienceMembers parsed = audienceMembersFromText(m_members->toPlainText());
    json a = {{"audience_id", m_id->text().trimmed().toStdString()}};
    if (m_new) {
        if (!m_name->text().trimmed().isEmpty())
            a["name"] = m_name->text().trimmed().toStdString();
        a["audience_type"] = m_type->currentData().toString().toStdString();
        if (!m_consent->currentData().toString().isEmpty())
            a["consent_basis"] = m_consent->currentData().toString().toStdString();
    }
    if (!parsed.members.empty())
        a["add"] = parsed.members;
    return a;
}

QLineEdit *AudienceDialog::nameEdit() const
{
    return m_name;
}

QLineEdit *AudienceDialog::idEdit() const
{
    return m_id;
}

QPlainTextEdit *AudienceDialog::membersEdit() const
{
    return m_members;
}

QPushButton *AudienceDialog::okButton() const
{
    return m_ok;
}

QLabel *AudienceDialog::summaryLabel() const
{
    return m_summary;
}

// ---- EventSourceDialog ----

EventSourceDialog::EventSourceDialog(QWidget *parent, const QStringList &existingIds) : QDialog(parent)
{
    setObjectName(QStringLiteral("eventSourceDialog"));
    setWindowTitle(tr("New event source"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_id = new QLineEdit(this);
    m_id->setObjectName(QStringLiteral("eventSourceId"));
    m_id->setPlaceholderText(tr("e.g. web-checkout"));
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("eventSourceName"));
    m_actionSource = new QComboBox(this);
    for (const char *source :
         {"website", "app", "offline", "in_store", "phone_call", "email", "chat", "other"})
        m_actionSource->addItem(displayName(Vocabulary::Status, QLatin1String(source)),
                                QLatin1String(source));
    form->addRow(tr("&Id:"), m_id);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Where events happen:"), m_actionSource);
    layout->addLayout(form);
    auto *typesLabel = new QLabel(tr("Event &types it sends:"), this);
    layout->addWidget(typesLabel);
    m_types = new QListWidget(this);
    typesLabel->setBuddy(m_types);
    m_types->setObjectName(QStringLiteral("eventSourceTypes"));
    for (const char *type : kOfferedEventTypes) {
        auto *item = new QListWidgetItem(displayName(Vocabulary::Status, QLatin1String(type)), m_types);
        item->setData(Qt::UserRole, QLatin1String(type));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(QLatin1String(type) == QLatin1String("purchase") ? Qt::Checked : Qt::Unchecked);
    }
    layout->addWidget(m_types, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Create event source"));
    m_ok->setEnabled(false);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *taken = new QLabel(this);
    taken->setWordWrap(true);
    layout->insertWidget(layout->count() - 1, taken);
    connect(m_id, &QLineEdit::textChanged, this, [this, taken, existingIds](const QString &text) {
        const QString id = text.trimmed();
        const bool exists = existingIds.contains(id);
        taken->setText(exists ? tr("An event source with this id exists already.") : QString());
        m_ok->setEnabled(!id.isEmpty() && !exists);
    });
}

json EventSourceDialog::source() const
{
    json s = {{"event_source_id", m_id->text().trimmed().toStdString()},
              {"action_source", m_actionSource->currentData().toString().toStdString()}};
    if (!m_name->text().trimmed().isEmpty())
        s["name"] = m_name->text().trimmed().toStdString();
    json types = json::array();
    for (int i = 0; i < m_types->count(); ++i)
        if (m_types->item(i)->checkState() == Qt::Checked)
            types.push_back(m_types->item(i)->data(Qt::UserRole).toString().toStdString());
    if (!types.empty())
        s["event_types"] = std::move(types);
    return s;
}

QLineEdit *EventSourceDialog::idEdit() const
{
    return m_id;
}

QListWidget *EventSourceDialog::eventTypes() const
{
    return m_types;
}

// ---- BuyAudiencesDialog ----

BuyAudiencesDialog::BuyAudiencesDialog(const json &audiences, const QStringList &targeted, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("buyAudiencesDialog"));
    setWindowTitle(tr("Target audiences"));
    auto *layout = new QVBoxLayout(this);
    auto *hint = new QLabel(tr("Every package of the buy targets the checked audiences. If the seller later "
                               "suspends one, the buy shows as impaired."),
                            this);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("buyAudienceList"));
    m_list->setMinimumWidth(520);
    m_list->setWordWrap(true);
    for (const auto &a : audiences) {
        const QString id = jsonString(a, "audience_id");
        const QString status = jsonString(a, "status");
        const QString name = jsonString(a, "name").isEmpty() ? id : jsonString(a, "name");
        auto *item =
            new QListWidgetItem(tr("%1 — %2, %3 matched")
                                    .arg(name, audienceStatusLabel(status))
                                    .arg(userLocale().toString(qint64(jsonNumber(a, "matched_count")))),
                                m_list);
        item->setData(Qt::UserRole, id);
        item->setToolTip(withId(name, id));
        Qt::ItemFlags flags = item->flags() | Qt::ItemIsUserCheckable;
        if (status == QLatin1String("too_small")) {
            flags &= ~Qt::ItemIsEnabled;
            item->setToolTip(tr("Too small to target: add members first"));
            item->setText(item->text() + QStringLiteral(" — ") + tr("add members before targeting it"));
        }
        item->setFlags(flags);
        item->setCheckState(targeted.contains(id) ? Qt::Checked : Qt::Unchecked);
    }
    if (m_list->count() == 0) {
        auto *none =
            new QLabel(tr("This account has no audiences yet: create one in the Audiences tab."), this);
        none->setWordWrap(true);
        layout->addWidget(none);
    }
    layout->addWidget(m_list, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton *apply = buttons->button(QDialogButtonBox::Ok);
    apply->setText(tr("Apply to the buy"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // Applying is offered once the ticks differ from what the buy targets now (nothing to send otherwise).
    const auto changed = [this, apply, targeted = QSet<QString>(targeted.cbegin(), targeted.cend())] {
        const QStringList ids = audienceIds();
        apply->setEnabled(QSet<QString>(ids.cbegin(), ids.cend()) != targeted);
    };
    connect(m_list, &QListWidget::itemChanged, this, changed);
    changed();
}

QStringList BuyAudiencesDialog::audienceIds() const
{
    QStringList ids;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            ids << m_list->item(i)->data(Qt::UserRole).toString();
    return ids;
}

QListWidget *BuyAudiencesDialog::list() const
{
    return m_list;
}

// ---- AudiencesWidget ----

AudiencesWidget::AudiencesWidget(Workbench *workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench)
{
    setObjectName(QStringLiteral("audiencesPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_error = new ErrorBanner(this);
    layout->addWidget(m_error);

    auto *audienceBox = new QGroupBox(tr("Audiences"), this);
    auto *av = new QVBoxLayout(audienceBox);
    auto *actions = new QHBoxLayout;
    m_newAudience = new QPushButton(tr("New audience…"), audienceBox);
    m_newAudience->setObjectName(QStringLiteral("newAudienceButton"));
    m_addMembers = new QPushButton(tr("Add members…"), audienceBox);
    m_addMembers->setObjectName(QStringLiteral("addMembersButton"));
    m_deleteAudience = new QPushButton(tr("Delete…"), audienceBox);
    m_deleteAudience->setObjectName(QStringLiteral("deleteAudienceButton"));
    m_refresh = new QPushButton(tr("Refresh"), audienceBox);
    m_refresh->setToolTip(tr("Read the audiences and event sources again"));
    for (QPushButton *b : {m_newAudience, m_addMembers, m_deleteAudience, m_refresh})
        b->setMinimumWidth(b->sizeHint().width());
    actions->addWidget(m_newAudience);
    actions->addWidget(m_addMembers);
    actions->addWidget(m_deleteAudience);
    actions->addStretch(1);
    actions->addWidget(m_refresh);
    av->addLayout(actions);
    m_audiences = new QTreeWidget(audienceBox);
    m_audiences->setObjectName(QStringLiteral("audienceView"));
    m_audiences->setRootIsDecorated(false);
    m_audiences->setHeaderLabels(
        {tr("Name"), tr("Status"), tr("Matched"), tr("Match rate"), tr("Uploaded"), tr("Last synced")});
    m_audiences->header()->setStretchLastSection(true);
    for (const auto &[column, width] : {std::pair{0, 170}, {1, 80}, {2, 70}, {3, 80}, {4, 70}})
        m_audiences->setColumnWidth(column, width);
    av->addWidget(m_audiences, 1);
    m_audiencesEmpty = new QLabel(audienceBox);
    m_audiencesEmpty->setWordWrap(true);
    av->addWidget(m_audiencesEmpty);
    layout->addWidget(audienceBox, 3);

    auto *sourceBox = new QGroupBox(tr("Conversion event sources"), this);
    auto *sv = new QVBoxLayout(sourceBox);
    auto *sourceActions = new QHBoxLayout;
    m_newSource = new QPushButton(tr("New event source…"), sourceBox);
    m_newSource->setObjectName(QStringLiteral("newEventSourceButton"));
    m_newSource->setMinimumWidth(m_newSource->sizeHint().width());
    sourceActions->addWidget(m_newSource);
    sourceActions->addStretch(1);
    sv->addLayout(sourceActions);
    m_sources = new QTreeWidget(sourceBox);
    m_sources->setObjectName(QStringLiteral("eventSourceView"));
    m_sources->setRootIsDecorated(false);
    m_sources->setHeaderLabels({tr("Name"), tr("Health"), tr("Events (24 h)"), tr("Event types"),
                                tr("Managed by"), tr("Last event")});
    m_sources->header()->setStretchLastSection(true);
    for (const auto &[column, width] : {std::pair{0, 170}, {1, 80}, {2, 85}, {3, 160}, {4, 85}})
        m_sources->setColumnWidth(column, width);
    sv->addWidget(m_sources, 1);
    layout->addWidget(sourceBox, 2);

    connect(m_refresh, &QPushButton::clicked, this, &AudiencesWidget::refresh);
    connect(m_newAudience, &QPushButton::clicked, this, [this] {
        QStringList ids;
        for (const auto &a : m_workbench->audiences())
            ids << jsonString(a, "audience_id");
        AudienceDialog dialog(json(), this, ids);
        // Accepted only through an enabled OK (a taken id, no members: nothing is sent).
        if (runDialog(&dialog) != QDialog::Accepted || !dialog.okButton()->isEnabled())
            return;
        m_error->clearError();
        m_workbench->syncAudience(dialog.audience());
    });
    connect(m_addMembers, &QPushButton::clicked, this, [this] {
        const QString id = selectedAudience();
        for (const auto &a : m_workbench->audiences()) {
            if (jsonString(a, "audience_id") != id)
                continue;
            AudienceDialog dialog(a, this);
            if (runDialog(&dialog) != QDialog::Accepted)
                return;
            m_error->clearError();
            m_workbench->syncAudience(dialog.audience());
            return;
        }
    });
    connect(m_deleteAudience, &QPushButton::clicked, this, [this] {
        const QString id = selectedAudience();
        if (id.isEmpty())
            return;
        QMessageBox ask(QMessageBox::Question, tr("Delete audience"),
                        tr("Delete audience %1 and its members from this seller?").arg(id),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
        ask.setObjectName(QStringLiteral("deleteAudienceQuestion"));
        // exec() answers the button; a test's runner answers Accepted.
        const int answer = runDialog(&ask);
        if (answer != QMessageBox::Yes && answer != QDialog::Accepted)
            return;
        m_error->clearError();
        m_workbench->syncAudience({{"audience_id", id.toStdString()}, {"delete", true}});
    });
    connect(m_newSource, &QPushButton::clicked, this, [this] {
        QStringList ids;
        for (const auto &source : m_workbench->eventSources())
            ids << jsonString(source, "event_source_id");
        EventSourceDialog dialog(this, ids);
        if (runDialog(&dialog) != QDialog::Accepted)
            return;
        m_error->clearError();
        m_workbench->syncEventSource(dialog.source());
    });
    connect(m_audiences, &QTreeWidget::itemSelectionChanged, this, &AudiencesWidget::updateState);

    connect(m_workbench, &Workbench::audiencesListed, this, &AudiencesWidget::showAudiences);
    connect(m_workbench, &Workbench::eventSourcesListed, this, &AudiencesWidget::showEventSources);
    connect(m_workbench, &Workbench::busyChanged, this, [this](bool busy) {
        m_busy = busy;
        updateState();
    });
    connect(m_workbench, &Workbench::actionFailed, this,
            [this](const QString &action, const QString &, const adcp::AdcpError &error) {
                if (action == tr("List audiences") || action == tr("Sync audience") ||
                    action == tr("Delete audience") || action == tr("List event sources") ||
                    action == tr("Sync event source"))
                    m_error->showError(error, action);
            });
    connect(m_workbench, &Workbench::activeAccountChanged, this, &AudiencesWidget::markStale);
    // A buy's health moving is most often a dependency moving: an audience or event source the seller
    // suspended or restored. The tab reads them again (at once when in sight, else when next shown).
    connect(m_workbench->buys(), &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                if (topLeft.column() > BuyModel::HealthColumn ||
                    bottomRight.column() < BuyModel::HealthColumn)
                    return;
                // Polls report unchanged buys too: only a health that really moved is news.
                const BuyModel *buys = m_workbench->buys();
                bool moved = false;
                for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
                    const QString id = buys->mediaBuyId(row);
                    const QString health = buys->index(row, BuyModel::HealthColumn).data().toString();
                    auto it = m_buyHealth.find(id);
                    if (it == m_buyHealth.end()) {
                        m_buyHealth.insert(id, health);
                        continue;
                    }
                    if (*it != health) {
                        *it = health;
                        moved = true;
                    }
                }
                if (moved)
                    markStale();
            });
    connect(m_workbench, &Workbench::connectionChanged, this, [this](bool connected) {
        if (connected)
            markStale();
    });
    showAudiences();
    showEventSources();
}

void AudiencesWidget::setDialogRunner(std::function<int(QDialog *)> runner)
{
    m_runDialog = std::move(runner);
}

int AudiencesWidget::runDialog(QDialog *dialog)
{
    return m_runDialog ? m_runDialog(dialog) : dialog->exec();
}

void AudiencesWidget::refresh()
{
    if (!m_workbench->client())
        return;
    m_stale = false;
    m_error->clearError();
    m_workbench->listAudiences();
    m_workbench->listEventSources();
}

void AudiencesWidget::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // What the seller did meanwhile (a suspension, a restore) is read each time the tab comes into sight.
    refresh();
}

void AudiencesWidget::markStale()
{
    m_stale = true;
    QTimer::singleShot(0, this, [this] {
        if (m_stale && isVisible())
            refresh();
    });
    showAudiences();
    showEventSources();
}

QString AudiencesWidget::selectedAudience() const
{
    const auto selected = m_audiences->selectedItems();
    return selected.isEmpty() ? QString() : selected.front()->data(0, Qt::UserRole).toString();
}

void AudiencesWidget::showAudiences()
{
    const QString keep = selectedAudience();
    m_audiences->clear();
    const QLocale locale = userLocale();
    for (const auto &a : m_workbench->audiences()) {
        const QString id = jsonString(a, "audience_id");
        const QString name = jsonString(a, "name").isEmpty() ? id : jsonString(a, "name");
        const QString status = jsonString(a, "status");
        auto *item = new QTreeWidgetItem(m_audiences);
        item->setData(0, Qt::UserRole, id);
        item->setText(0, name);
        item->setToolTip(0, withId(name, id));
        item->setText(1, audienceStatusLabel(status));
        if (status == QLatin1String("too_small"))
            item->setToolTip(1, tr("Below the seller's minimum of %1 matched members: add members before "
                                   "targeting it")
                                    .arg(locale.toString(qint64(jsonNumber(a, "minimum_size")))));
        else if (status == QLatin1String("suspended"))
            item->setToolTip(1, tr("The seller took it offline; buys targeting it are impaired"));
        item->setText(2, locale.toString(qint64(jsonNumber(a, "matched_count"))));
        item->setText(3, a.contains("effective_match_rate")
                             ? matchRateText(jsonNumber(a, "effective_match_rate"))
                             : QStringLiteral("—"));
        item->setText(4, locale.toString(qint64(jsonNumber(a, "total_uploaded_count"))));
        const QDateTime synced = jsonDateTime(a, "last_synced_at");
        item->setText(5, synced.isValid() ? formatDateTime(synced) : QStringLiteral("—"));
        for (int c = 2; c <= 4; ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        if (id == keep)
            item->setSelected(true);
    }
    updateState();
}

void AudiencesWidget::showEventSources()
{
    m_sources->clear();
    const QLocale locale = userLocale();
    for (const auto &s : m_workbench->eventSources()) {
        const QString id = jsonString(s, "event_source_id");
        const QString name = jsonString(s, "name").isEmpty() ? id : jsonString(s, "name");
        const json health = jsonObject(s, "health");
        auto *item = new QTreeWidgetItem(m_sources);
        item->setData(0, Qt::UserRole, id);
        item->setText(0, name);
        item->setToolTip(0, withId(name, id));
        item->setText(1, displayName(Vocabulary::Status, jsonString(health, "status")));
        item->setText(2, locale.toString(qint64(jsonNumber(health, "events_received_24h"))));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        QStringList types;
        for (const auto &t : jsonStringList(s, "event_types"))
            types << displayName(Vocabulary::Status, t);
        item->setText(3, types.isEmpty() ? tr("any") : types.join(QStringLiteral(", ")));
        item->setText(4,
                      jsonString(s, "managed_by") == QLatin1String("seller") ? tr("the seller") : tr("you"));
        const QDateTime last = jsonDateTime(health, "last_event_at");
        item->setText(5, last.isValid() ? formatDateTime(last) : QStringLiteral("—"));
        const QString setup = jsonString(jsonObject(s, "setup"), "instructions");
        if (!setup.isEmpty())
            item->setToolTip(1, setup);
    }
}

void AudiencesWidget::updateState()
{
    const json account = m_workbench->activeAccount();
    m_title->setText(
        AccountModel::referenceOf(account).is_null()
            ? tr("Audiences and conversion event sources at this seller, for the buyer identity "
                 "(%1 via %2)")
                  .arg(m_workbench->brandDomain(), m_workbench->operatorDomain())
            : tr("Audiences and conversion event sources of %1").arg(AccountModel::titleOf(account)));
    const bool connected = m_workbench->client() != nullptr;
    const bool selected = !selectedAudience().isEmpty();
    m_newAudience->setEnabled(connected && !m_busy);
    m_addMembers->setEnabled(connected && !m_busy && selected);
    m_deleteAudience->setEnabled(connected && !m_busy && selected);
    m_newSource->setEnabled(connected && !m_busy);
    m_refresh->setEnabled(connected && !m_busy);
    m_audiencesEmpty->setVisible(m_audiences->topLevelItemCount() == 0);
    m_audiencesEmpty->setText(connected
                                  ? tr("No audiences yet. New audience… uploads a CRM list (hashed here); "
                                       "a buy targets it with its Audiences… button.")
                                  : tr("Connect to a seller to see its audiences."));
}

QTreeWidget *AudiencesWidget::audienceView() const
{
    return m_audiences;
}

QTreeWidget *AudiencesWidget::eventSourceView() const
{
    return m_sources;
}

QPushButton *AudiencesWidget::newAudienceButton() const
{
    return m_newAudience;
}

QPushButton *AudiencesWidget::addMembersButton() const
{
    return m_addMembers;
}

QPushButton *AudiencesWidget::deleteAudienceButton() const
{
    return m_deleteAudience;
}

QPushButton *AudiencesWidget::newEventSourceButton() const
{
    return m_newSource;
}

QPushButton *AudiencesWidget::refreshButton() const
{
    return m_refresh;
}

ErrorBanner *AudiencesWidget::errorBanner() const
{
    return m_error;
}

} // namespace adcp::gui
