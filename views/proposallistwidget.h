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

Q_SIGNALS:
    void proposalSelected(const QString &proposalId);

private:
    models::ProposalModel *m_model;
    models::ProposalSortModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_status = nullptr;
    QTreeView *m_view = nullptr;
};

} // namespace adcp::gui
