#pragma once

#include "focushold.h"

#include <QWidget>

#include <functional>

#include <nlohmann/json.hpp>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QListView;
class QTableWidget;
class QTabWidget;
class QTreeView;

namespace adcp::models {
class BuyEventModel;
class BuyModel;
class ImpairmentModel;
} // namespace adcp::models

namespace adcp::gui {

class DeliveryChart;
class ErrorBanner;

// One media buy in full: status and health, packages, impairments, the event timeline (webhook vs snapshot),
// the delivery chart, and pause / resume / cancel.
class BuyDetailWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuyDetailWidget)
public:
    BuyDetailWidget(models::BuyModel *buys, models::BuyEventModel *events, QWidget *parent = nullptr);

    void showBuy(const QString &mediaBuyId);
    QString mediaBuyId() const;
    void setBusy(bool busy);
    // Whether the seller offers control_media_buy (AdCP 3.2): without it the budget cannot be changed here.
    void setControlOffered(bool offered);

    QLabel *healthLabel() const;
    QLabel *statusLabel() const;
    // One card per impairment: what broke, how, why, the remedy and when (they wrap in a narrow pane).
    QListView *impairmentView() const;
    models::ImpairmentModel *impairmentModel() const;
    QTableWidget *packageTable() const;
    // Where the Packages tab finds a product's name (by default it shows product ids).
    void setProductLookup(std::function<nlohmann::json(const QString &productId)> lookup);
    QTreeView *timelineView() const;
    DeliveryChart *deliveryChart() const;
    ErrorBanner *errorBanner() const;
    QPushButton *pauseButton() const;
    QPushButton *resumeButton() const;
    QPushButton *cancelButton() const;
    QPushButton *budgetButton() const;
    QPushButton *creativesButton() const;
    QPushButton *audiencesButton() const;
    QTabWidget *sections() const;

Q_SIGNALS:
    void updateRequested(const QString &mediaBuyId, const QString &action);
    void budgetChangeRequested(const QString &mediaBuyId, double amount);
    void deliveryRequested(const QString &mediaBuyId, const QString &granularity);
    void creativesRequested(const QString &mediaBuyId);
    void audiencesRequested(const QString &mediaBuyId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    static bool isTerminal(const QString &status);
    void refresh();
    void updateActions();
    void fillPackages(const nlohmann::json &buy, const nlohmann::json &delivery);

    models::BuyModel *m_buys;
    models::ImpairmentModel *m_impairments;
    QSortFilterProxyModel *m_timeline;
    QString m_mediaBuyId;
    quint64 m_shownRevision = 0; // the BuyModel revision of the buy as drawn
    bool m_busy = false;
    FocusHold m_focusHold;
    bool m_controlOffered = false;

    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_health = nullptr;
    QLabel *m_summary = nullptr;
    QTabWidget *m_sections = nullptr;
    QTableWidget *m_packages = nullptr;
    QListView *m_impairmentView = nullptr;
    QLabel *m_noImpairments = nullptr;
    std::function<nlohmann::json(const QString &)> m_productLookup;
    // The product's name from m_productLookup, empty when it has none.
    QString nameOfProduct(const QString &productId) const;
    QTreeView *m_timelineView = nullptr;
    DeliveryChart *m_chart = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_budget = nullptr;
    QPushButton *m_creatives = nullptr;
    QPushButton *m_audiences = nullptr;
    ErrorBanner *m_error = nullptr;
};

} // namespace adcp::gui
