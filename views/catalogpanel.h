#pragma once

#include "focushold.h"

#include <QHash>
#include <QWidget>

#include <nlohmann/json.hpp>

class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTreeView;

namespace adcp::models {
class ProductSortModel;
}

namespace adcp::gui {

class ErrorBanner;
class Workbench;

// The Catalog tab (AdCP 3.2 direct buy): the seller's published products as list_products pages them, with
// the feed version on show; ticking products puts them on the order below, each with its budget and pricing
// option, and Buy sends buy_products for the flight. Load, Refresh and Buy are off, with the reason in their
// tooltip, while the seller does not list the tool they use.
class CatalogPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CatalogPanel)
public:
    explicit CatalogPanel(Workbench *workbench, QWidget *parent = nullptr);

    QTreeView *view() const;
    QPushButton *loadButton() const;
    QPushButton *refreshButton() const;
    QPushButton *moreButton() const;
    QPushButton *buyButton() const;
    QTableWidget *orderTable() const;
    QLabel *versionLabel() const;
    QLabel *problemsLabel() const;
    // The direct buys the seller still reviews (hidden when there are none).
    QLabel *awaitingLabel() const;
    ErrorBanner *errorBanner() const;
    // What keeps Buy off, in words (empty when the order can go).
    QStringList problems() const;
    void focusFilter();

Q_SIGNALS:
    // The product the planner last clicked, to be shown in full.
    void productSelected(const QString &productId);

protected:
    // Until the flight is first filled in, its default follows the seller clock (a trainer may have moved it
    // days on since the window opened).
    void showEvent(QShowEvent *event) override;

private:
    void defaultFlight();
    void updateGate();
    // The catalog line before any catalog of this agent was read.
    void showUnread();
    void rebuildOrder();
    void updateOrderState();
    void buy();
    void showAwaiting();
    // The products ticked, in catalog order.
    QStringList selectedProducts() const;

    Workbench *m_workbench;
    models::ProductSortModel *m_proxy;
    bool m_busy = false;
    FocusHold m_focusHold; // Buy goes off while the order is out
    bool m_connected = false;
    // A product's pricing option from the catalog (an empty object when the catalog lacks either).
    nlohmann::json pricingOption(const QString &productId, const QString &optionId) const;
    // The currencies of the order's prices, each once, in the order's order.
    QStringList orderCurrencies() const;
    bool m_flightEdited = false;  // the planner changed the flight: the default no longer follows the clock
    bool m_fillingFlight = false; // defaultFlight() is setting the dates
    // What the planner gave each product, kept while it is unticked and ticked again.
    QHash<QString, double> m_budgets;
    QHash<QString, QString> m_options;

    QLineEdit *m_filter = nullptr;
    QTreeView *m_view = nullptr;
    QPushButton *m_load = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_more = nullptr;
    QLabel *m_awaiting = nullptr;
    QLabel *m_version = nullptr;
    QTableWidget *m_order = nullptr;
    QDateTimeEdit *m_start = nullptr;
    QDateTimeEdit *m_end = nullptr;
    QLabel *m_total = nullptr;
    QLabel *m_problems = nullptr;
    QPushButton *m_buy = nullptr;
    ErrorBanner *m_error = nullptr;
};

} // namespace adcp::gui
