#include "reasonform.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace adcp::gui {

ReasonForm::ReasonForm(const QString &name, const QStringList &reasons, const QString &detailHint,
                       QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *form = new QFormLayout;
    m_reason = new QComboBox(this);
    m_reason->setObjectName(name + QStringLiteral("Reason"));
    m_reason->addItems(reasons);
    form->addRow(tr("Reason"), m_reason);
    m_detail = new QPlainTextEdit(this);
    m_detail->setObjectName(name + QStringLiteral("Detail"));
    m_detail->setPlaceholderText(detailHint);
    m_detail->setMaximumHeight(90);
    form->addRow(tr("Detail"), m_detail);
    layout->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setObjectName(name + QStringLiteral("Problem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b45309;"));
    m_problem->setWordWrap(true);
    layout->addWidget(m_problem);
    connect(m_reason, &QComboBox::currentIndexChanged, this, &ReasonForm::validate);
    connect(m_detail, &QPlainTextEdit::textChanged, this, &ReasonForm::validate);
    validate();
}

ReasonForm::~ReasonForm() = default;

QString ReasonForm::reason() const
{
    return m_reason->currentText();
}

QString ReasonForm::detail() const
{
    return m_detail->toPlainText().trimmed();
}

void ReasonForm::setReason(const QString &reason)
{
    m_reason->setCurrentText(reason);
}

void ReasonForm::setDetail(const QString &detail)
{
    m_detail->setPlainText(detail);
}

QString ReasonForm::problem() const
{
    if (reason() == QLatin1String("other") && detail().isEmpty())
        return tr("Say why in the detail when the reason is \"other\".");
    if (detail().size() > kMaxDetail)
        return tr("The detail is %1 characters; at most %2 are allowed.")
            .arg(detail().size())
            .arg(kMaxDetail);
    return {};
}

bool ReasonForm::canAccept() const
{
    return problem().isEmpty();
}

void ReasonForm::validate()
{
    m_problem->setText(problem());
    Q_EMIT changed();
}

} // namespace adcp::gui
