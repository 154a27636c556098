#include "catalogpanel.h"

#include "displaynames.h"
#include "errorbanner.h"
#include "jsonvalues.h"
#include "modelroles.h"
#include "pricingtext.h"
#include "productmodel.h"
#include "productsortmodel.h"
#include "workbench.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QTableWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace adcp::gui {

using namespace adcp::models;
using nlohmann::json;

namespace {

enum CatalogOrderColumn { OrderProductColumn, OrderPricingColumn, OrderBudgetColumn, OrderColumns };

QString catalogOptionText(const json &option)
{
    QString text = optionSummaryText(option);
    if (text.isEmpty())
        text = displayName(Vocabulary::PricingModel, jsonString(option, "pricing_model"));
    return text.isEmpty() ? jsonString(option, "pricing_option_id") : text;
}

} // namespace

CatalogPanel::CatalogPanel(Workbench *workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_proxy(new ProductSortModel(this))
{
    setObjectName(QStringLiteral("catalogPanel"));
    m_proxy->setSourceModel(workbench->catalog());
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);

    auto *top = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("catalogFilter"));
    m_filter->setPlaceholderText(tr("Filter catalog (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    top->addWidget(m_filter, 1);
    m_load = new QPushButton(tr("Load catalog"), this);
    m_load->setObjectName(QStringLiteral("catalogLoadButton"));
    m_refresh = new QPushButton(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("catalogRefreshButton"));
    top->addWidget(m_load);
    top->addWidget(m_refresh);
    layout->addLayout(top);
    m_version = new QLabel(this);
    m_version->setObjectName(QStringLiteral("catalogVersion"));
    m_version->setStyleSheet(QStringLiteral("color: #4b5563;"));
    m_version->setWordWrap(true);
    layout->addWidget(m_version);

    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("catalogView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    // A click ticks a product onto the order, another takes it off: no modifier keys to know.
    m_view->setSelectionMode(QAbstractItemView::MultiSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ProductModel::RankColumn, Qt::AscendingOrder);
    m_view->setColumnHidden(ProductModel::RelevanceColumn, true);
    m_view->header()->setStretchLastSection(true);
    // What a planner compares first, the price, comes right after the name.
    m_view->header()->moveSection(m_view->header()->visualIndex(ProductModel::PriceColumn), 2);
    m_view->setColumnWidth(ProductModel::RankColumn, 32);
    m_view->setColumnWidth(ProductModel::NameColumn, 210);
    m_view->setColumnWidth(ProductModel::PriceColumn, 110);
    m_view->setColumnWidth(ProductModel::ChannelsColumn, 110);
    m_view->setColumnWidth(ProductModel::DeliveryColumn, 110);
    layout->addWidget(m_view, 3);
    m_more = new QPushButton(tr("Load more products"), this);
    m_more->setObjectName(QStringLiteral("catalogMoreButton"));
    m_more->setToolTip(tr("The seller has more products than this page shows"));
    layout->addWidget(m_more, 0, Qt::AlignLeft);

    m_awaiting = new QLabel(this);
    m_awaiting->setObjectName(QStringLiteral("catalogAwaiting"));
    m_awaiting->setWordWrap(true);
    m_awaiting->setTextFormat(Qt::PlainText);
    m_awaiting->setStyleSheet(
        QStringLiteral("background: #fef3c7; color: #78350f; border-radius: 4px; padding: 6px;"));
    m_awaiting->hide();
    layout->addWidget(m_awaiting);

    auto *orderTitle = new QLabel(tr("ORDER"), this);
    orderTitle->setObjectName(QStringLiteral("sectionTitle"));
    layout->addWidget(orderTitle);
    m_order = new QTableWidget(0, OrderColumns, this);
    m_order->setObjectName(QStringLiteral("catalogOrder"));
    m_order->setHorizontalHeaderLabels({tr("Product"), tr("Pricing"), tr("Budget")});
    m_order->verticalHeader()->hide();
    m_order->horizontalHeader()->setSectionResizeMode(OrderProductColumn, QHeaderView::Stretch);
    m_order->horizontalHeader()->setMinimumSectionSize(60);
    m_order->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_order->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_order, 2);

    // Start and end on rows of their own, each as wide as its text: side by side with the total and Buy they
    // were squeezed to "2026-12-0" in a panel beside the seller console (1440 px screens).
    auto *flight = new QGridLayout;
    const auto dateEdit = [this](const char *name) {
        auto *edit = new QDateTimeEdit(this);
        edit->setObjectName(QLatin1String(name));
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setMinimumWidth(edit->sizeHint().width());
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, [this] {
            m_flightEdited = m_flightEdited || !m_fillingFlight;
            updateOrderState();
        });
        return edit;
    };
    m_start = dateEdit("catalogStart");
    m_end = dateEdit("catalogEnd");
    auto *startLabel = new QLabel(tr("Flight starts"), this);
    startLabel->setBuddy(m_start);
    auto *endLabel = new QLabel(tr("ends"), this);
    endLabel->setBuddy(m_end);
    flight->addWidget(startLabel, 0, 0, Qt::AlignRight);
    flight->addWidget(m_start, 0, 1);
    flight->addWidget(endLabel, 1, 0, Qt::AlignRight);
    flight->addWidget(m_end, 1, 1);
    flight->setColumnStretch(2, 1);
    m_total = new QLabel(this);
    m_total->setObjectName(QStringLiteral("catalogTotal"));
    flight->addWidget(m_total, 0, 3, Qt::AlignRight);
    m_buy = new QPushButton(tr("Buy"), this);
    m_buy->setObjectName(QStringLiteral("catalogBuyButton"));
    m_buy->setDefault(true);
    flight->addWidget(m_buy, 1, 3);
    layout->addLayout(flight);
    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("catalogProblems"));
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #6b7280;"));
    // Two lines always, so that the flight and Buy above stay put as the line changes.
    m_problems->setFixedHeight(2 * m_problems->fontMetrics().lineSpacing() + 2);
    layout->addWidget(m_problems);
    m_error = new ErrorBanner(this);
    layout->addWidget(m_error);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &ProductSortModel::setFilterText);
    connect(m_load, &QPushButton::clicked, this, [this] {
        m_error->clearError();
        m_workbench->listCatalog(false);
    });
    connect(m_refresh, &QPushButton::clicked, this, [this] {
        m_error->clearError();
        m_workbench->refreshCatalog();
    });
    connect(m_more, &QPushButton::clicked, this, [this] {
        m_error->clearError();
        m_workbench->listCatalog(true);
    });
    connect(m_buy, &QPushButton::clicked, this, &CatalogPanel::buy);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &CatalogPanel::rebuildOrder);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    Q_EMIT productSelected(current.data(IdRole).toString());
            });
    connect(m_error, &ErrorBanner::remedyRequested, this, [this](ErrorBanner::Remedy remedy) {
        m_error->clearError();
        if (remedy == ErrorBanner::Remedy::ReloadLatest || remedy == ErrorBanner::Remedy::Retry)
            m_workbench->listCatalog(false);
    });
    connect(workbench, &Workbench::catalogListed, this, [this](bool unchanged) {
        const QDateTime now = m_workbench->now();
        if (!m_flightEdited)
            defaultFlight();
        const QString pricing = m_workbench->catalogPricingVersion();
        QString text = tr("%n product(s)", nullptr, m_workbench->catalog()->rowCount());
        if (m_workbench->catalogHasMore())
            text += tr(" (more available)");
        // The versions are opaque tokens: a planner needs when the catalog was read, a tester the tokens (in
        // the tooltip, and in the exchange log).
        text += unchanged ? tr(" · Catalog unchanged at %1").arg(formatDateTime(now))
                          : tr(" · read at %1").arg(formatDateTime(now));
        QString versions = tr("Feed version: %1").arg(m_workbench->catalogFeedVersion());
        if (!pricing.isEmpty())
            versions += QLatin1Char('\n') + tr("Pricing version: %1").arg(pricing);
        m_version->setText(text);
        m_version->setToolTip(versions);
        updateGate();
    });
    connect(workbench, &Workbench::connectionChanged, this, [this](bool connected) {
        m_connected = connected;
        // Another agent (or the same one again): when the last catalog was read is not this one's news.
        if (!connected && m_workbench->catalog()->rowCount() == 0)
            showUnread();
        updateGate();
        showAwaiting(); // a new agent or account starts without the last one's
    });
    connect(workbench, &Workbench::busyChanged, this, [this](bool busy) {
        if (busy)
            m_focusHold.enter(this);
        m_busy = busy;
        updateGate();
        if (!busy)
            m_focusHold.leave(this);
    });
    connect(workbench, &Workbench::actionSucceeded, this, [this](const QString &action) {
        if (action != tr("Buy products"))
            return;
        // Bought: the order is done with; the buy is in the monitor.
        m_view->clearSelection();
        m_budgets.clear();
        m_options.clear();
    });
    connect(workbench->catalog(), &QAbstractItemModel::modelReset, this, &CatalogPanel::rebuildOrder);
    connect(workbench, &Workbench::sessionStateChanged, this, &CatalogPanel::showAwaiting);
    defaultFlight();
    showUnread();
    updateGate();
    showAwaiting();
}

QTreeView *CatalogPanel::view() const
{
    return m_view;
}

QPushButton *CatalogPanel::loadButton() const
{
    return m_load;
}

QPushButton *CatalogPanel::refreshButton() const
{
    return m_refresh;
}

QPushButton *CatalogPanel::moreButton() const
{
    return m_more;
}

QPushButton *CatalogPanel::buyButton() const
{
    return m_buy;
}

QTableWidget *CatalogPanel::orderTable() const
{
    return m_order;
}

QLabel *CatalogPanel::versionLabel() const
{
    return m_version;
}

QLabel *CatalogPanel::problemsLabel() const
{
    return m_problems;
}

QLabel *CatalogPanel::awaitingLabel() const
{
    return m_awaiting;
}

void CatalogPanel::showAwaiting()
{
    QStringList lines;
    for (const Workbench::AwaitingDirectBuy &awaiting : m_workbench->awaitingDirectBuys())
        lines << tr("Waiting for the seller's approval: %1 (task %2)")
                     .arg(awaiting.title.isEmpty() ? tr("direct buy") : awaiting.title, awaiting.taskId);
    if (!lines.isEmpty())
        lines << tr("The window follows the seller's answer; an approved buy appears under Buys.");
    m_awaiting->setText(lines.join(QLatin1Char('\n')));
    m_awaiting->setVisible(!lines.isEmpty());
}

ErrorBanner *CatalogPanel::errorBanner() const
{
    return m_error;
}

void CatalogPanel::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void CatalogPanel::updateGate()
{
    const bool lists = m_workbench->offersTool(QStringLiteral("list_products"));
    QString why;
    if (!m_connected)
        why = tr("Test the connection first: the seller's capabilities say whether it publishes a catalog.");
    else if (!lists)
        why =
            tr("This seller does not publish a catalog to buy from directly (it does not offer the AdCP 3.2 "
               "product listing).");
    m_load->setEnabled(why.isEmpty() && !m_busy);
    m_load->setToolTip(why.isEmpty() ? tr("Read the seller's published products from the first page") : why);
    const bool loaded = !m_workbench->catalogFeedVersion().isEmpty();
    m_refresh->setEnabled(why.isEmpty() && loaded && !m_busy);
    m_refresh->setToolTip(!why.isEmpty() ? why
                          : loaded ? tr("Ask the seller whether its catalog changed since it was loaded")
                                   : tr("Load the catalog first"));
    m_more->setVisible(m_workbench->catalogHasMore());
    m_more->setEnabled(!m_busy);
    updateOrderState();
}

QStringList CatalogPanel::selectedProducts() const
{
    QStringList ids;
    const ProductModel *catalog = m_workbench->catalog();
    for (int row = 0; row < catalog->rowCount(); ++row) {
        const QModelIndex at = m_proxy->mapFromSource(catalog->index(row, 0));
        if (at.isValid() && m_view->selectionModel()->isRowSelected(at.row(), at.parent()))
            ids << jsonString(catalog->productJson(row), "product_id");
    }
    return ids;
}

void CatalogPanel::showUnread()
{
    m_version->setText(tr("Load the seller's published catalog to buy its products directly, without a "
                          "proposal."));
    m_version->setToolTip({});
}

void CatalogPanel::rebuildOrder()
{
    const ProductModel *catalog = m_workbench->catalog();
    const QStringList ids = selectedProducts();
    m_order->setRowCount(0);
    m_order->setRowCount(static_cast<int>(ids.size()));
    for (int r = 0; r < ids.size(); ++r) {
        const QString id = ids.at(r);
        const json &product = catalog->productJson(catalog->rowOf(id));
        auto *name = new QTableWidgetItem(jsonString(product, "name"));
        name->setToolTip(tr("Product %1").arg(id));
        name->setData(Qt::UserRole, id);
        m_order->setItem(r, OrderProductColumn, name);

        auto *option = new QComboBox(m_order);
        option->setObjectName(QStringLiteral("catalogOption-") + id);
        for (const auto &o : jsonArrayView(product, "pricing_options")) {
            const QString optionId = jsonStringOnly(o, "pricing_option_id");
            if (!optionId.isEmpty())
                option->addItem(catalogOptionText(o), optionId);
        }
        const int chosen = option->findData(m_options.value(id));
        if (chosen >= 0)
            option->setCurrentIndex(chosen);
        option->setEnabled(option->count() > 1);
        // The choice is read in full in the open list and the tooltip; closed, the box leaves the product's
        // name the room (a price with its minimum spend took two thirds of the table).
        option->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        option->setMinimumContentsLength(11);
        option->view()->setMinimumWidth(option->view()->sizeHintForColumn(0) + 24);
        option->setToolTip(option->count() > 1
                               ? tr("The seller offers this product at several prices: choose one")
                           : option->count() == 1 ? tr("The seller offers one price for this product")
                                                  : tr("The seller lists no price for this product"));
        m_order->setCellWidget(r, OrderPricingColumn, option);

        auto *budget = new QDoubleSpinBox(m_order);
        budget->setObjectName(QStringLiteral("catalogBudget-") + id);
        budget->setRange(0, 1e12);
        budget->setDecimals(2);
        budget->setGroupSeparatorShown(true);
        budget->setValue(m_budgets.value(id));
        budget->setMinimumWidth(budget->fontMetrics().horizontalAdvance(QStringLiteral("0,000,000.00 USD")) +
                                30);
        m_order->setCellWidget(r, OrderBudgetColumn, budget);

        const QString choiceHint = option->toolTip();
        const auto describe = [this, id, option, budget, choiceHint] {
            option->setToolTip(option->currentText() + QLatin1Char('\n') + choiceHint);
            const json picked = pricingOption(id, option->currentData().toString());
            const QString currency = jsonString(picked, "currency");
            budget->setSuffix(currency.isEmpty() ? QString() : QLatin1Char(' ') + currency);
            const double minimum = jsonNumber(picked, "min_spend_per_package");
            budget->setToolTip(minimum > 0
                                   ? tr("At least %1 for this product").arg(formatMoney(minimum, currency))
                                   : tr("What to spend on this product"));
        };
        describe();
        // A changed order is a new order: the last refusal no longer describes it.
        connect(option, &QComboBox::currentIndexChanged, this, [this, id, option, describe] {
            m_options.insert(id, option->currentData().toString());
            m_error->clearError();
            describe();
            updateOrderState();
        });
        connect(budget, &QDoubleSpinBox::valueChanged, this, [this, id](double value) {
            m_budgets.insert(id, value);
            m_error->clearError();
            updateOrderState();
        });
    }
    // The pricing and budget columns take what their boxes need; the product name has the rest.
    for (const int column : {int(OrderPricingColumn), int(OrderBudgetColumn)}) {
        int width = m_order->horizontalHeader()->sectionSizeHint(column);
        for (int r = 0; r < m_order->rowCount(); ++r)
            if (const QWidget *cell = m_order->cellWidget(r, column))
                width = std::max(width, std::max(cell->sizeHint().width(), cell->minimumWidth()) + 6);
        m_order->setColumnWidth(column, width);
    }
    m_order->resizeRowsToContents();
    updateOrderState();
}

json CatalogPanel::pricingOption(const QString &productId, const QString &optionId) const
{
    const ProductModel *catalog = m_workbench->catalog();
    const int row = catalog->rowOf(productId);
    if (row < 0)
        return json::object();
    for (const auto &candidate : jsonArrayView(catalog->productJson(row), "pricing_options")) {
        if (jsonStringOnly(candidate, "pricing_option_id") == optionId)
            return candidate;
    }
    return json::object();
}

QStringList CatalogPanel::orderCurrencies() const
{
    QStringList currencies;
    for (int r = 0; r < m_order->rowCount(); ++r) {
        if (const auto *budget = qobject_cast<QDoubleSpinBox *>(m_order->cellWidget(r, OrderBudgetColumn))) {
            const QString currency = budget->suffix().trimmed();
            if (!currency.isEmpty() && !currencies.contains(currency))
                currencies << currency;
        }
    }
    return currencies;
}

QStringList CatalogPanel::problems() const
{
    QStringList found;
    if (!m_connected) {
        found << tr("Test the connection first.");
        return found;
    }
    if (!m_workbench->offersTool(QStringLiteral("buy_products"))) {
        found << tr("This seller does not take direct buys from its catalog (it does not offer the AdCP 3.2 "
                    "direct purchase).");
        return found;
    }
    if (m_workbench->catalogFeedVersion().isEmpty()) {
        found << tr("Load the catalog, then click the products to buy.");
        return found;
    }
    const QStringList ids = selectedProducts();
    if (ids.isEmpty())
        found << tr("Click the products to buy in the list above (a second click takes one out).");
    for (int r = 0; r < m_order->rowCount(); ++r) {
        const auto *option = qobject_cast<QComboBox *>(m_order->cellWidget(r, OrderPricingColumn));
        const auto *budget = qobject_cast<QDoubleSpinBox *>(m_order->cellWidget(r, OrderBudgetColumn));
        const QString name = m_order->item(r, OrderProductColumn)->text();
        if (option && option->count() == 0)
            found << tr("%1 has no price to buy at.").arg(name);
        else if (budget && budget->value() <= 0)
            found << tr("Give %1 a budget.").arg(name);
        else if (option && budget) {
            // The seller refuses a package below its price's published minimum spend: said before sending.
            const double minimum =
                jsonNumber(pricingOption(m_order->item(r, OrderProductColumn)->data(Qt::UserRole).toString(),
                                         option->currentData().toString()),
                           "min_spend_per_package");
            if (minimum > 0 && budget->value() < minimum)
                found << tr("%1 needs at least %2 (its minimum spend).")
                             .arg(name, formatMoney(minimum, budget->suffix().trimmed()));
        }
    }
    // One buy, one currency: prices picked in several are refused by the seller.
    if (const QStringList currencies = orderCurrencies(); currencies.size() > 1)
        found << tr("The order mixes currencies (%1): pick prices in one currency.")
                     .arg(currencies.join(QStringLiteral(", ")));
    if (m_end->dateTime() <= m_start->dateTime())
        found << tr("The flight must end after it starts.");
    else if (m_start->dateTime() < m_workbench->now())
        found << tr("The flight cannot start in the past.");
    return found;
}

void CatalogPanel::updateOrderState()
{
    const QStringList found = problems();
    m_buy->setEnabled(found.isEmpty() && !m_busy);
    m_buy->setToolTip(found.isEmpty() ? tr("Buy these products from the seller's catalog")
                                      : found.join(QLatin1Char(' ')));
    // Always there (Buy does not move): what is missing, or that the order can go.
    m_problems->setText(found.isEmpty() ? tr("Ready to buy.") : found.join(QLatin1Char(' ')));
    // The total, when every product is bought in one currency.
    const QStringList currencies = orderCurrencies();
    double total = 0;
    for (int r = 0; r < m_order->rowCount(); ++r) {
        if (const auto *budget = qobject_cast<QDoubleSpinBox *>(m_order->cellWidget(r, OrderBudgetColumn)))
            total += budget->value();
    }
    m_total->setText(m_order->rowCount() == 0 || currencies.size() > 1
                         ? QString()
                         : tr("Total %1").arg(formatMoney(total, currencies.value(0))));
}

void CatalogPanel::buy()
{
    json purchases = json::array();
    for (int r = 0; r < m_order->rowCount(); ++r) {
        const auto *option = qobject_cast<QComboBox *>(m_order->cellWidget(r, OrderPricingColumn));
        const auto *budget = qobject_cast<QDoubleSpinBox *>(m_order->cellWidget(r, OrderBudgetColumn));
        if (!option || !budget)
            continue;
        const QString id = m_order->item(r, OrderProductColumn)->data(Qt::UserRole).toString();
        purchases.push_back({{"product_id", id.toStdString()},
                             {"pricing_option_id", option->currentData().toString().toStdString()},
                             {"budget", budget->value()}});
    }
    if (purchases.empty() || !problems().isEmpty())
        return;
    m_error->clearError();
    m_workbench->buyProducts(purchases, m_start->dateTime().toUTC().toString(Qt::ISODate),
                             m_end->dateTime().toUTC().toString(Qt::ISODate));
}

void CatalogPanel::defaultFlight()
{
    // Tomorrow's first hour for a month, on the seller's clock, until the planner says otherwise.
    const QDateTime start(m_workbench->now().toLocalTime().date().addDays(1), QTime(0, 0));
    const QScopedValueRollback filling(m_fillingFlight, true);
    m_start->setDateTime(start);
    m_end->setDateTime(start.addDays(30));
}

void CatalogPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // The default follows the seller's clock (a trainer's +1 day) until the planner picks dates.
    if (!m_flightEdited)
        defaultFlight();
}

} // namespace adcp::gui
