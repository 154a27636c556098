#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTreeView;

namespace adcp::models {
class ProposalModel;
class ProposalSortModel;
} // namespace adcp::models

namespace adcp::gui {

class FilterableListWidget;
class SubtitleDelegate;

// The proposals tab: every proposal with a status chip and the live "expires in" countdown of commitments.
class ProposalListWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProposalListWidget)
public:
    explicit ProposalListWidget(models::ProposalModel *model, QWidget *parent = nullptr);

    QTreeView *view() const;
    QLineEdit *filterEdit() const;
    QComboBox *statusFilter() const;
    models::ProposalSortModel *proxy() const;
    void focusFilter();
    void selectProposal(const QString &proposalId);
    // The line above the list that says which opportunity it shows (empty: all).
    void setScope(const QString &text);
    // Each proposal's brief under its name, for a list that holds the proposals of more than one brief.
    void setBriefShown(bool shown);
    bool isBriefShown() const;

Q_SIGNALS:
    // "Show all" was clicked on the scope line.
    void scopeCleared();
    void proposalSelected(const QString &proposalId);

private:
    models::ProposalSortModel *m_proxy = nullptr;
    FilterableListWidget *m_list = nullptr;
    SubtitleDelegate *m_names = nullptr; // the name column, with the brief under it when shown
    QComboBox *m_status = nullptr;
};

} // namespace adcp::gui
