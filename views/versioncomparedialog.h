#pragma once

#include "proposalmodel.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QTableView;

namespace adcp::models {
class ProposalCompareModel;
}

namespace adcp::gui {

// Two versions of one proposal side by side; changed terms are highlighted.
class VersionCompareDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VersionCompareDialog)
public:
    VersionCompareDialog(const std::vector<models::ProposalVersion> &versions, int left, int right,
                         QWidget *parent = nullptr);

    models::ProposalCompareModel *model() const;
    QTableView *view() const;
    void setVersions(int left, int right);

private:
    void compare();

    std::vector<models::ProposalVersion> m_versions;
    models::ProposalCompareModel *m_model = nullptr;
    QComboBox *m_left = nullptr;
    QComboBox *m_right = nullptr;
    QLabel *m_summary = nullptr;
    QTableView *m_view = nullptr;
};

} // namespace adcp::gui
