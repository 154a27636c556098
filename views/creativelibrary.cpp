#include "creativelibrary.h"

#include "accountmodel.h"
#include "buymodel.h"
#include "creativemodel.h"
#include "displaynames.h"
#include "errorbanner.h"
#include "filterablelistwidget.h"
#include "jsonvalues.h"
#include "librarycreativedialogs.h"
#include "modelroles.h"
#include "statuschipdelegate.h"
#include "workbench.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace adcp::gui {

using models::CreativeModel;
using models::Vocabulary;
using nlohmann::json;

CreativeLibraryWidget::CreativeLibraryWidget(Workbench *workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench)
{
    setObjectName(QStringLiteral("creativeLibrary"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("creativeLibraryTitle"));
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_error = new ErrorBanner(this);
    layout->addWidget(m_error);

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Status:"), this));
    m_statusFilter = new QComboBox(this);
    m_statusFilter->setObjectName(QStringLiteral("creativeStatusFilter"));
    m_statusFilter->addItem(tr("Any status"), QString());
    for (const char *status :
         {"approved", "pending_review", "processing", "suspended", "rejected", "archived"})
        m_statusFilter->addItem(models::displayName(Vocabulary::CreativeStatus, QLatin1String(status)),
                                QLatin1String(status));
    filters->addWidget(m_statusFilter);
    m_nameFilter = new QLineEdit(this);
    m_nameFilter->setObjectName(QStringLiteral("creativeNameFilter"));
    m_nameFilter->setPlaceholderText(tr("Name contains… (Enter)"));
    m_nameFilter->setClearButtonEnabled(true);
    filters->addWidget(m_nameFilter, 1);
    m_refresh = new QPushButton(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("creativeRefreshButton"));
    m_refresh->setToolTip(tr("Read the library again (list_creatives)"));
    filters->addWidget(m_refresh);
    layout->addLayout(filters);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSortRole(models::SortRole);
    m_view = makeListView(m_workbench->creatives(), m_proxy, QStringLiteral("creative"), this);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setItemDelegateForColumn(CreativeModel::StatusColumn,
                                     new StatusChipDelegate(models::StatusRole, m_view));
    // Names first; the id is in the tooltip and the context menu ("Copy id").
    m_view->setColumnHidden(CreativeModel::IdColumn, true);
    // The name first and readable even in a narrow centre column; the rest scrolls sideways as in the other
    // lists.
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(true);
    m_view->setColumnWidth(CreativeModel::NameColumn, 250);
    m_view->setColumnWidth(CreativeModel::StatusColumn, 110);
    m_view->setColumnWidth(CreativeModel::FormatColumn, 180); // "display_image 970×250" whole
    m_view->setColumnWidth(CreativeModel::InUseColumn, 100);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_empty = new QLabel(this);
    m_empty->setObjectName(QStringLiteral("creativeLibraryEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_view);
    layout->addWidget(m_stack, 1);

    auto *pager = new QHBoxLayout;
    m_new = new QPushButton(tr("New creative…"), this);
    m_new->setObjectName(QStringLiteral("newCreativeButton"));
    m_new->setToolTip(tr("Upload a creative to the library, for buys to run later (sync_creatives)"));
    pager->addWidget(m_new);
    m_assign = new QPushButton(tr("Assign to buys…"), this);
    m_assign->setObjectName(QStringLiteral("assignCreativeButton"));
    m_assign->setToolTip(tr("Run the selected creative in packages of your buys (sync_creatives "
                            "assignment_operations)"));
    pager->addWidget(m_assign);
    m_listState = new QLabel(this);
    m_listState->setObjectName(QStringLiteral("creativeListState"));
    pager->addWidget(m_listState, 1);
    m_more = new QPushButton(tr("Load more"), this);
    m_more->setObjectName(QStringLiteral("creativeMoreButton"));
    m_more->setToolTip(tr("Read the next page of the library"));
    pager->addWidget(m_more);
    layout->addLayout(pager);

    connect(m_refresh, &QPushButton::clicked, this, &CreativeLibraryWidget::refresh);
    connect(m_new, &QPushButton::clicked, this, &CreativeLibraryWidget::newCreative);
    connect(m_assign, &QPushButton::clicked, this, &CreativeLibraryWidget::assignSelected);
    connect(m_view, &QTreeView::doubleClicked, this, &CreativeLibraryWidget::assignSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &CreativeLibraryWidget::updateState);
    connect(m_statusFilter, &QComboBox::activated, this, &CreativeLibraryWidget::refresh);
    connect(m_nameFilter, &QLineEdit::returnPressed, this, &CreativeLibraryWidget::refresh);
    // The clear button empties the field without Enter: the whole library again.
    connect(m_nameFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.isEmpty())
            refresh();
    });
    connect(m_more, &QPushButton::clicked, this, [this] {
        m_reading = true;
        m_workbench->listCreatives(QString(), QString(), true, m_pageSize);
        updateState();
    });

    connect(m_workbench, &Workbench::busyChanged, this, [this](bool busy) {
        if (busy)
            m_focusHold.enter(this);
        m_busy = busy;
        updateState();
        if (!busy)
            m_focusHold.leave(this);
    });
    connect(m_workbench, &Workbench::creativesListed, this, [this] {
        m_reading = false;
        m_error->clearError();
        updateState();
    });
    connect(m_workbench, &Workbench::actionFailed, this,
            [this](const QString &action, const QString &, const adcp::AdcpError &error) {
                if (action == m_acting) {
                    // What the library itself asked for is said here, where it was asked.
                    m_acting.clear();
                    m_error->showError(error, action);
                    updateState();
                    return;
                }
                if (action != tr("List creatives"))
                    return;
                m_reading = false;
                m_error->showError(error, action);
                updateState();
            });
    // What the library shows belongs to one account at one agent; uploads add to it.
    connect(m_workbench, &Workbench::activeAccountChanged, this, &CreativeLibraryWidget::markStale);
    connect(m_workbench, &Workbench::connectionChanged, this, [this](bool connected) {
        if (connected)
            markStale();
    });
    connect(m_workbench, &Workbench::actionSucceeded, this, [this](const QString &action) {
        if (action == m_acting)
            m_acting.clear();
        if (action == tr("Upload creatives") || action == tr("Assign creatives"))
            markStale();
    });
    const auto changed = [this] { updateState(); };
    connect(m_workbench->creatives(), &QAbstractItemModel::modelReset, this, changed);
    connect(m_workbench->creatives(), &QAbstractItemModel::rowsInserted, this, changed);
    connect(m_workbench->creatives(), &QAbstractItemModel::dataChanged, this, changed);
    updateState();
}

CreativeLibraryWidget::~CreativeLibraryWidget() = default;

void CreativeLibraryWidget::refresh()
{
    if (!m_workbench->client())
        return;
    m_stale = false;
    m_reading = true;
    m_workbench->listCreatives(m_statusFilter->currentData().toString(), m_nameFilter->text(), false,
                               m_pageSize);
    updateState();
}

void CreativeLibraryWidget::setDialogRunner(std::function<int(QDialog *)> runner)
{
    m_runDialog = std::move(runner);
}

int CreativeLibraryWidget::runDialog(QDialog *dialog)
{
    return m_runDialog ? m_runDialog(dialog) : dialog->exec();
}

json CreativeLibraryWidget::selectedCreative() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return json();
    const int row = m_proxy->mapToSource(rows.front()).row();
    return row >= 0 && row < m_workbench->creatives()->rowCount()
               ? m_workbench->creatives()->creativeJson(row)
               : json();
}

void CreativeLibraryWidget::newCreative()
{
    if (!m_workbench->client() || m_busy)
        return;
    NewCreativeDialog dialog(m_workbench->knownFormats(), this);
    if (runDialog(&dialog) != QDialog::Accepted || !dialog.problem().isEmpty())
        return;
    m_error->clearError();
    m_acting = tr("Upload creatives");
    m_workbench->uploadCreatives(json::array({dialog.creative()}));
}

void CreativeLibraryWidget::assignSelected()
{
    const json creative = selectedCreative();
    if (creative.is_null() || !m_workbench->client() || m_busy)
        return;
    std::vector<AssignCreativeDialog::Buy> buys;
    const models::BuyModel *model = m_workbench->buys();
    for (int row = 0; row < model->rowCount(); ++row)
        buys.push_back({model->buyJson(row), model->title(row), model->status(row)});
    AssignCreativeDialog dialog(
        creative, buys,
        [this](const QString &productId) {
            return models::jsonArray(m_workbench->knownProduct(productId), "format_ids");
        },
        [this](const QString &productId) {
            return models::jsonString(m_workbench->knownProduct(productId), "name");
        },
        this);
    if (runDialog(&dialog) != QDialog::Accepted)
        return;
    const json operations = dialog.operations();
    if (operations.empty())
        return;
    m_error->clearError();
    m_acting = tr("Assign creatives");
    m_workbench->assignCreatives(operations);
}

QPushButton *CreativeLibraryWidget::newCreativeButton() const
{
    return m_new;
}

QPushButton *CreativeLibraryWidget::assignButton() const
{
    return m_assign;
}

void CreativeLibraryWidget::setPageSize(int creatives)
{
    m_pageSize = std::clamp(creatives, 1, 100);
}

void CreativeLibraryWidget::focusFilter()
{
    m_nameFilter->setFocus(Qt::ShortcutFocusReason);
    m_nameFilter->selectAll();
}

QTreeView *CreativeLibraryWidget::view() const
{
    return m_view;
}

ErrorBanner *CreativeLibraryWidget::errorBanner() const
{
    return m_error;
}

void CreativeLibraryWidget::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void CreativeLibraryWidget::markStale()
{
    m_stale = true;
    // Another account or agent: a call the library made for the last one ends without a word (its session is
    // gone), and a later failure of someone else's upload is not the library's to show.
    m_acting.clear();
    updateState();
    // Read again once the change has settled (an agent switch sets the account and connects in one go), and
    // only while the library is in sight; otherwise when it is next shown.
    QTimer::singleShot(0, this, [this] {
        if (m_stale && isVisible())
            refresh();
    });
}

void CreativeLibraryWidget::updateState()
{
    const json account = m_workbench->activeAccount();
    m_title->setText(models::AccountModel::referenceOf(account).is_null()
                         ? tr("Creatives you synced to this seller, without a picked account")
                         : tr("Creatives of %1").arg(models::AccountModel::titleOf(account)));
    const CreativeModel *creatives = m_workbench->creatives();
    const int shown = creatives->rowCount();
    m_stack->setCurrentIndex(shown > 0 ? 1 : 0);
    if (m_reading && shown == 0)
        m_empty->setText(tr("Reading the library…"));
    else if (!creatives->isListed())
        m_empty->setText(tr("The library is read when you open this tab; Refresh reads it again."));
    else if (!m_statusFilter->currentData().toString().isEmpty() || !m_nameFilter->text().trimmed().isEmpty())
        m_empty->setText(tr("No creative matches these filters."));
    else
        m_empty->setText(tr("No creatives yet. Upload one with New creative…, or to a buy with its "
                            "Creatives… button; they stay here even after the buy ends."));
    const int total = creatives->totalMatching();
    if (!creatives->isListed())
        m_listState->clear();
    else if (total > shown)
        m_listState->setText(tr("%1 of %2 creatives shown").arg(shown).arg(total));
    else
        m_listState->setText(tr("%n creative(s)", nullptr, shown));
    const bool connected = m_workbench->client() != nullptr;
    m_refresh->setEnabled(connected && !m_busy);
    m_more->setVisible(creatives->hasMore());
    m_more->setEnabled(connected && !m_busy);
    m_new->setEnabled(connected && !m_busy);
    m_assign->setEnabled(connected && !m_busy && m_view->selectionModel()->hasSelection());
}

} // namespace adcp::gui
