#pragma once

#include <QWidget>

class QCheckBox;
class QLineEdit;
class QTreeView;

namespace adcp::models {
class BuyModel;
class BuySortModel;
} // namespace adcp::models

namespace adcp::gui {

class FilterableListWidget;
class SubtitleDelegate;

// The buys tab: every media buy with its status chip, health badge and delivery bar.
class BuyMonitorWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BuyMonitorWidget)
public:
    explicit BuyMonitorWidget(models::BuyModel *model, QWidget *parent = nullptr);

    QTreeView *view() const;
    QLineEdit *filterEdit() const;
    models::BuySortModel *proxy() const;
    void focusFilter();
    void selectBuy(const QString &mediaBuyId);
    // The line above the list that says which opportunity it shows (empty: all), and whether a row exists
    // but is filtered out.
    void setScope(const QString &text);
    // Each buy's brief under what it was bought from, for a list that holds the buys of more than one brief.
    void setBriefShown(bool shown);
    bool isBriefShown() const;
    bool isFilteredOut(const QString &id) const;

Q_SIGNALS:
    // "Show all" was clicked on the scope line.
    void scopeCleared();
    void buySelected(const QString &mediaBuyId);

private:
    models::BuySortModel *m_proxy = nullptr;
    FilterableListWidget *m_list = nullptr;
    SubtitleDelegate *m_names = nullptr; // the name column, with the brief under it when shown
    QCheckBox *m_impairedOnly = nullptr;
};

} // namespace adcp::gui
