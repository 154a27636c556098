#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTreeView;

namespace adcp::models {
class ProductModel;
class ProductSortModel;
} // namespace adcp::models

namespace adcp::gui {

class FilterableListWidget;

// The products tab: the seller's products with a text and channel filter. Right-click asks the seller to
// include, omit or find more like a product (refine, product scope).
class ProductListWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProductListWidget)
public:
    explicit ProductListWidget(models::ProductModel *model, QWidget *parent = nullptr);

    QTreeView *view() const;
    QLineEdit *filterEdit() const;
    models::ProductSortModel *proxy() const;
    void focusFilter();

Q_SIGNALS:
    void productSelected(const QString &productId);
    // action: include | omit | more_like_this
    void refineProductRequested(const QString &productId, const QString &action);

private:
    void refreshChannels();

    models::ProductModel *m_model;
    models::ProductSortModel *m_proxy = nullptr;
    FilterableListWidget *m_list = nullptr;
    QComboBox *m_channel = nullptr;
};

} // namespace adcp::gui
