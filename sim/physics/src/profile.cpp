// placeholder: replaced by the profile loader
