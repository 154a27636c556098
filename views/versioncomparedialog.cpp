#include "versioncomparedialog.h"

#include "proposalcomparemodel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace adcp::gui {

VersionCompareDialog::VersionCompareDialog(const std::vector<models::ProposalVersion> &versions, int left,
                                           int right, QWidget *parent)
    : QDialog(parent), m_versions(versions), m_model(new models::ProposalCompareModel(this))
{
    setObjectName(QStringLiteral("versionCompareDialog"));
    setWindowTitle(tr("Compare proposal versions"));
    resize(760, 460);
    auto *layout = new QVBoxLayout(this);
    auto *pick = new QHBoxLayout;
    m_left = new QComboBox(this);
    m_right = new QComboBox(this);
    for (const auto &version : m_versions) {
        const QString label = QStringLiteral("%1 · %2").arg(
            version.version, version.receivedAt.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
        m_left->addItem(label);
        m_right->addItem(label);
    }
    pick->addWidget(m_left, 1);
    pick->addWidget(new QLabel(QStringLiteral("⇄"), this));
    pick->addWidget(m_right, 1);
    layout->addLayout(pick);
    m_summary = new QLabel(this);
    layout->addWidget(m_summary);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("compareView"));
    m_view->setModel(m_model);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_view->setWordWrap(true);
    layout->addWidget(m_view, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setVersions(left, right);
    connect(m_left, &QComboBox::currentIndexChanged, this, &VersionCompareDialog::compare);
    connect(m_right, &QComboBox::currentIndexChanged, this, &VersionCompareDialog::compare);
}

models::ProposalCompareModel *VersionCompareDialog::model() const
{
    return m_model;
}

QTableView *VersionCompareDialog::view() const
{
    return m_view;
}

void VersionCompareDialog::setVersions(int left, int right)
{
    m_left->blockSignals(true);
    m_right->blockSignals(true);
    m_left->setCurrentIndex(left);
    m_right->setCurrentIndex(right);
    m_left->blockSignals(false);
    m_right->blockSignals(false);
    compare();
}

void VersionCompareDialog::compare()
{
    const int left = m_left->currentIndex();
    const int right = m_right->currentIndex();
    if (left < 0 || right < 0 || size_t(left) >= m_versions.size() || size_t(right) >= m_versions.size())
        return;
    m_model->compare(m_versions[size_t(left)].version, m_versions[size_t(left)].json,
                     m_versions[size_t(right)].version, m_versions[size_t(right)].json);
    m_view->resizeRowsToContents();
    m_summary->setText(tr("%n term(s) changed", nullptr, m_model->changedCount()));
}

} // namespace adcp::gui
