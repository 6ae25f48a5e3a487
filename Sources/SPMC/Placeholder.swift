// placeholder: replaced by the layer's code
